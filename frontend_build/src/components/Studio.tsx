import { useCallback, useEffect, useMemo, useState } from "react";
import { AccountClient } from "../lib/account";
import { AgentClient } from "../lib/agent";
import { FRONT, listCameras, type CameraChoice } from "../lib/cameras";
import { FrameEncoder } from "../lib/encoder";
import { PoseConnection, type ConnectionStatus } from "../lib/protocol";
import { StreamSession } from "../lib/session";
import { openSocket } from "../lib/sockets";
import type { WireError } from "../lib/types";
import { AskPanel } from "./AskPanel";
import { StreamTile } from "./StreamTile";
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
  const connection = useMemo(
    () => new PoseConnection(openSocket("pose", backendUrl, token)),
    [backendUrl, token],
  );
  const encoder = useMemo(() => new FrameEncoder(), []);
  const accounts = useMemo(() => new AccountClient(backendUrl, token), [backendUrl, token]);
  const share = useCallback((id: string, emails: string[]) => accounts.shareStream(id, emails), [accounts]);
  const [status, setStatus] = useState<ConnectionStatus>(connection.status);
  const [statusDetail, setStatusDetail] = useState("");
  const [sessions, setSessions] = useState<StreamSession[]>([]);
  const [cameras, setCameras] = useState<CameraChoice[]>([]);
  const [notices, setNotices] = useState<WireError[]>([]);
  const [askOpen, setAskOpen] = useState(false);
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
      connection.on("phase", () => setLimitsSeen((n) => n + 1)),
    ];
    return () => {
      offs.forEach((off) => off());
      connection.close();
      encoder.close();
    };
  }, [connection, encoder]);

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
    (window as unknown as { __poseStudio: unknown }).__poseStudio = { connection, sessions };
  }, [connection, sessions]);

  const addStream = useCallback(() => {
    const used = new Set(sessions.map((s) => s.settings.camera));
    const unused = cameras.find((c) => !used.has(c.id));
    // Another camera when there is one; otherwise the same one again (a second view of it).
    const camera = sessions.length === 0 ? FRONT.id : (unused ?? cameras[0] ?? FRONT).id;
    const session = new StreamSession(connection, encoder, { camera });
    setSessions([...sessions, session]);
    void session.open().then(() =>
      listCameras()
        .then(setCameras)
        .catch(() => undefined),
    );
  }, [sessions, cameras, connection, encoder]);

  const removeStream = (session: StreamSession) => {
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
          {visibility.ask && (
            <button
              type="button"
              className="btn"
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

      <main id="streams" className="tiles">
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
            onRemove={() => removeStream(s)}
            onShare={visibility.streamCameras && chrome.me ? share : undefined}
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
          streamLabel={(id) => sessions.find((s) => s.id === id)?.camera.label || id}
          onHighlight={(id, ts) => setHighlights((h) => ({ ...h, [id]: ts }))}
          onClose={() => setAskOpen(false)}
        />
      )}
    </div>
  );
}
