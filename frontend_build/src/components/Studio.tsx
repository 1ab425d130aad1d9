import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { AccountClient } from "../lib/account";
import { AgentClient } from "../lib/agent";
import { FRONT, listCameras, type CameraChoice } from "../lib/cameras";
import { FrameEncoder } from "../lib/encoder";
import { PoseConnection, type ConnectionStatus } from "../lib/protocol";
import { PoseStatsClient } from "../lib/poseStats";
import { Recorder } from "../lib/recording";
import {
  forgetStreams,
  loadAskOpen,
  loadStreams,
  saveAskOpen,
  saveStreams,
  tileNumbers,
} from "../lib/remembered";
import { StreamSession, type TileSettings } from "../lib/session";
import { SessionsClient } from "../lib/sessionsApi";
import { openSocket } from "../lib/sockets";
import { transportPreference } from "../lib/webrtc";
import type { WireError } from "../lib/types";
import { AskPanel } from "./AskPanel";
import { PairPhone } from "./PairPhone";
import { PoseStatsPanel } from "./PoseStatsPanel";
import { RecordAll } from "./RecordAll";
import { useRecorder } from "./RecordControl";
import { StreamTile, tileTitle } from "./StreamTile";
import { TokenBanner } from "./TokenForms";
import { TopBar, type Chrome } from "./TopBar";
import { WatchSection } from "./WatchSection";

/**
 * The streams page. `token` null: the session cookie authenticates the sockets. Controls
 * follow `chrome.visibility` (a viewer gets no Start camera); `hidden` keeps the page,
 * its connection and its streams alive while another page is shown.
 */
export function Studio({
  backendUrl,
  token,
  chrome,
  hidden,
  onNewToken,
  onSignIn,
}: {
  backendUrl: string;
  token: string | null;
  chrome: Chrome;
  hidden: boolean;
  onNewToken: (token: string) => void;
  onSignIn: () => void;
}) {
  const { theme, visibility } = chrome;
  // The tiles, for the recorder: a WebRTC tile's stream runs on its own connection.
  const tiles = useRef<StreamSession[]>([]);
  const { connection, recorder } = useMemo(() => {
    const socket = openSocket("pose", backendUrl, token);
    const connection = new PoseConnection(socket);
    const tile = (id: string) => tiles.current.find((s) => s.id === id);
    const recorder = new Recorder(socket, new SessionsClient(backendUrl, token), {
      storage: localStorage,
      serverId: (id) => tile(id)?.serverId ?? connection.serverId(id),
      elsewhere: (id) => tile(id)?.transport === "webrtc",
    });
    return { connection, recorder };
  }, [backendUrl, token]);
  useRecorder(recorder);
  const encoder = useMemo(() => new FrameEncoder(), []);
  const accounts = useMemo(() => new AccountClient(backendUrl, token), [backendUrl, token]);
  const statsClient = useMemo(() => new PoseStatsClient(backendUrl, token), [backendUrl, token]);
  const share = useCallback((id: string, emails: string[]) => accounts.shareStream(id, emails), [accounts]);
  const [status, setStatus] = useState<ConnectionStatus>(connection.status);
  const [statusDetail, setStatusDetail] = useState("");
  const [sessions, setSessions] = useState<StreamSession[]>([]);
  tiles.current = sessions;
  const [cameras, setCameras] = useState<CameraChoice[]>([]);
  const [notices, setNotices] = useState<WireError[]>([]);
  const [askOpen, setAskOpen] = useState(() => visibility.ask && loadAskOpen(localStorage));
  useEffect(() => saveAskOpen(localStorage, askOpen), [askOpen]);
  const askButton = useRef<HTMLButtonElement>(null);
  // Closing the panel puts focus back on the button that opens it, not on <body>.
  const closeAsk = useCallback(() => {
    setAskOpen(false);
    askButton.current?.focus();
  }, []);
  // The streams that ran before a reload, offered back once (nothing restarts unasked).
  const [toRestore, setToRestore] = useState(() =>
    visibility.streamCameras ? loadStreams(localStorage).filter((r) => r.running) : [],
  );
  const [focusId, setFocusId] = useState<string | null>(null);
  const [highlights, setHighlights] = useState<Record<string, number>>({});
  const [, setLimitsSeen] = useState(0);

  useEffect(() => {
    const offs = [
      connection.on("status", (s, detail) => {
        setStatus(s);
        setStatusDetail(detail ?? "");
      }),
      connection.on("error", (e) => {
        if (!e.stream_id) setNotices((n) => [...n.slice(-2), e]);
      }),
      connection.on("phase", (id, phase) => {
        recorder.streamRunning(id, phase === "running");
        setLimitsSeen((n) => n + 1);
      }),
    ];
    return () => {
      offs.forEach((off) => off());
      recorder.dispose();
      connection.close();
      encoder.close();
    };
  }, [connection, recorder, encoder]);

  useEffect(() => {
    const refresh = () =>
      void listCameras()
        .then(setCameras)
        .catch(() => undefined);
    navigator.mediaDevices?.addEventListener?.("devicechange", refresh);
    return () => navigator.mediaDevices?.removeEventListener?.("devicechange", refresh);
  }, []);

  // The browser test and curious developers read the live state here.
  useEffect(() => {
    (window as unknown as { __poseStudio: unknown }).__poseStudio = { connection, sessions, recorder };
  }, [connection, sessions, recorder]);

  // Each stream's settings and state, kept for the next load (not while an offer to
  // restore is open: that would overwrite what it offers).
  useEffect(() => {
    if (toRestore.length > 0) return;
    const save = () =>
      saveStreams(
        localStorage,
        sessions.map((s) => ({ settings: s.settings, running: s.running })),
      );
    save();
    const timer = setInterval(save, 1000);
    return () => clearInterval(timer);
  }, [sessions, toRestore]);

  const openStreams = useCallback(
    (settings: Partial<TileSettings>[]) => {
      const numbers = tileNumbers(
        tiles.current.map((t) => t.settings.number),
        settings.map((s) => s.number ?? 0),
      );
      const added = settings.map(
        (s, i) =>
          new StreamSession(
            connection,
            encoder,
            { transport: transportPreference(), ...s, number: numbers[i] },
            { baseUrl: backendUrl, token },
          ),
      );
      setSessions((current) => [...current, ...added]);
      if (added.length > 0) setFocusId(added[0].id);
      for (const session of added)
        void session.open().then(() =>
          listCameras()
            .then(setCameras)
            .catch(() => undefined),
        );
    },
    [connection, encoder, backendUrl, token],
  );

  const addStream = useCallback(() => {
    const used = new Set(sessions.map((s) => s.settings.camera));
    const unused = cameras.find((c) => !used.has(c.id));
    // Another camera when there is one; otherwise the same one again (a second view of it).
    const camera = sessions.length === 0 ? FRONT.id : (unused ?? cameras[0] ?? FRONT).id;
    openStreams([{ camera }]);
  }, [sessions, cameras, openStreams]);

  const removeStream = (session: StreamSession) => {
    recorder.forget(session.id);
    session.dispose();
    setSessions((current) => current.filter((s) => s !== session));
  };

  const maxFps = connection.limits?.max_fps ?? 30;
  const atLimit = connection.maxStreams !== null && sessions.length >= connection.maxStreams;
  const running = sessions.filter((s) => s.running).map((s) => s.id);

  const agentClient = useMemo(() => {
    if (!askOpen) return null;
    const push = openSocket("agent", backendUrl, token);
    return { client: new AgentClient(backendUrl, token, push), push };
  }, [askOpen, backendUrl, token]);
  useEffect(() => () => void agentClient?.push.close(), [agentClient]);

  return (
    <div className={askOpen ? "app with-ask" : "app"} hidden={hidden}>
      <a className="skip" href="#streams">
        Skip to streams
      </a>
      <TopBar chrome={chrome}>
        <p className={`conn conn-${status}`} title={statusDetail} aria-live="polite">
          <span className="dot" aria-hidden="true" />
          <span className="sr-only">Connection: </span>
          <span data-testid="connection-status">{status}</span>
        </p>
        <div className="topbar-actions">
          {visibility.streamCameras && (
            <button
              type="button"
              className="btn btn-primary"
              data-testid="add-stream"
              onClick={addStream}
              disabled={atLimit}
              title={atLimit ? `The server allows ${connection.maxStreams} streams` : undefined}
            >
              + Add camera
            </button>
          )}
          {visibility.streamCameras && <PairPhone client={accounts} />}
          {visibility.record && sessions.length > 0 && (
            <RecordAll recorder={recorder} streams={running.filter((id) => connection.isRunning(id))} />
          )}
          <a className="btn" href="#/library" data-testid="library-link">
            Library
          </a>
          {visibility.ask && (
            <button
              type="button"
              className="btn"
              ref={askButton}
              data-testid="ask-button"
              aria-expanded={askOpen}
              onClick={() => setAskOpen((o) => !o)}
            >
              Ask
            </button>
          )}
        </div>
      </TopBar>

      {status === "unauthorized" && token !== null && (
        <TokenBanner onToken={onNewToken} onSignIn={onSignIn} />
      )}
      {status === "unauthorized" && token === null && (
        <p className="banner" role="alert" data-testid="session-ended">
          Your session has ended (signed out, expired or disabled).
          <button type="button" className="btn" onClick={onSignIn}>
            Sign in again
          </button>
        </p>
      )}
      {notices.map((n, i) => (
        <p key={i} className="banner" role="alert">
          {n.code}: {n.message}
          <button
            type="button"
            className="btn btn-ghost"
            onClick={() => setNotices((all) => all.filter((x) => x !== n))}
          >
            Dismiss
          </button>
        </p>
      ))}

      {toRestore.length > 0 && (
        <p className="banner" role="status" data-testid="restore-streams">
          {toRestore.length === 1
            ? "A camera was streaming before this page reloaded."
            : `${toRestore.length} cameras were streaming before this page reloaded.`}
          <button
            type="button"
            className="btn btn-primary"
            data-testid="restore-streams-yes"
            onClick={() => {
              openStreams(toRestore.map((r) => r.settings));
              setToRestore([]);
            }}
          >
            Start {toRestore.length === 1 ? "it" : "them"} again
          </button>
          <button
            type="button"
            className="btn btn-ghost"
            onClick={() => {
              forgetStreams(localStorage);
              setToRestore([]);
            }}
          >
            No
          </button>
        </p>
      )}
      {recorder.found.map((r) => (
        <p key={r.sessionId} className="banner" role="status" data-testid="recording-found">
          {r.phase === "recording"
            ? `“${r.name}” is still recording on the server (${r.frames} frames so far).`
            : `“${r.name}” was recording when the page closed: it ended (${r.stopReason ?? r.status}) with ${r.frames} frames kept.`}{" "}
          <a className="btn" href={`#/sessions/${r.sessionId}`}>
            Open
          </a>
        </p>
      ))}
      <main id="streams" className={tilesClass(sessions.length)}>
        {sessions.length === 0 && visibility.streamCameras && (
          <section className="empty">
            <h2>See your pose, live</h2>
            <p>
              Stream your camera to this Pose Studio and watch your 33-point skeleton in 2D and 3D. Frames go
              only to this server.
            </p>
            <button
              type="button"
              className="btn btn-primary btn-big"
              data-testid="empty-add-stream"
              onClick={addStream}
            >
              Start camera
            </button>
          </section>
        )}
        {sessions.length === 0 && !visibility.streamCameras && chrome.me && (
          <section className="empty" data-testid="viewer-empty">
            <h2>Watch what is shared with you</h2>
            <p>
              As a {chrome.me.role} you can watch streams shared with you: they appear under Watch below.
              Streaming a camera needs the operator role: ask an admin.
            </p>
          </section>
        )}
        {sessions.map((s) => (
          <StreamTile
            key={s.id}
            session={s}
            cameras={cameras}
            maxFps={maxFps}
            theme={theme}
            highlight={highlights[s.id] ?? null}
            focusOnMount={s.id === focusId}
            onRemove={() => removeStream(s)}
            onShare={visibility.streamCameras && chrome.me ? share : undefined}
            recorder={visibility.record ? recorder : undefined}
          />
        ))}
      </main>
      {chrome.me && (
        <WatchSection client={accounts} backendUrl={backendUrl} token={token} theme={theme} hidden={hidden} />
      )}

      {askOpen && agentClient && (
        <AskPanel
          client={agentClient.client}
          streamIds={running}
          streamLabel={(id) => {
            const tile = sessions.find((s) => s.id === id);
            return tile ? tileTitle(tile) : id;
          }}
          onHighlight={(id, ts) => setHighlights((h) => ({ ...h, [id]: ts }))}
          onClose={closeAsk}
        >
          <PoseStatsPanel
            client={statsClient}
            streams={sessions
              .filter((s) => s.running)
              .map((s) => ({ id: s.id, label: tileTitle(s), serverId: () => s.serverId }))}
          />
        </AskPanel>
      )}
    </div>
  );
}

/** Two tiles side by side; three or more denser, so that four fit a 1440×900 screen. */
function tilesClass(count: number): string {
  if (count > 2) return "tiles tiles-multi tiles-dense";
  return count > 1 ? "tiles tiles-multi" : "tiles";
}
