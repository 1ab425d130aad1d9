import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { AskPanel } from "../components/AskPanel";
import { describeError } from "../lib/account";
import { AgentClient } from "../lib/agent";
import { routeHash } from "../lib/routes";
import { openSocket } from "../lib/sockets";
import { AnalyticsPanel } from "./AnalyticsPanel";
import { Annotations } from "./Annotations";
import { PlaybackControls } from "./PlaybackControls";
import { Replay3D } from "./Replay3D";
import { ReplayHeader } from "./ReplayHeader";
import { SessionsClient, type Session } from "./api";
import { CameraView } from "./CameraView";
import { ClipFlow } from "./clipFlow";
import { BehaviourPanel } from "./BehaviourPanel";
import { ClipPanel } from "./ClipPanel";
import { FrameLoader } from "./frameLoader";
import { PoseTrack } from "./poseTrack";
import { ReplaySource } from "./replaySource";
import { Timeline } from "./Timeline";
import { Playhead, formatTime, setRange, type Span } from "./timeline";
import { useReplayKeys } from "./useReplayKeys";
import { useSessionNotes } from "./useSessionNotes";
import "./replay.css";

const SUGGESTIONS = ["Summarise this session", "What went well?", "When did my form break down?"];

/** A recorded session's replay (`#/sessions/<id>?t=`): it loads the session, then plays it. */
export function ReplayView({
  sessionId,
  t,
  backendUrl,
  token,
  theme,
  canEdit,
  canAsk,
}: {
  sessionId: string;
  t: number | null;
  backendUrl: string;
  token: string | null;
  theme: string;
  /** May annotate and make clips (operators and admins). */
  canEdit: boolean;
  canAsk: boolean;
}) {
  const client = useMemo(() => new SessionsClient(backendUrl, token), [backendUrl, token]);
  const [session, setSession] = useState<Session | null>(null);
  const [error, setError] = useState("");
  useEffect(() => {
    let live = true;
    setSession(null);
    setError("");
    client.session(sessionId).then(
      (s) => live && setSession(s),
      (e: unknown) => live && setError(describeError(e)),
    );
    return () => {
      live = false;
    };
  }, [client, sessionId]);

  if (error)
    return (
      <main className="replay">
        <p className="tile-error" role="alert" data-testid="replay-error">
          {error}
        </p>
        <a className="btn" href="#/library">
          Back to the library
        </a>
      </main>
    );
  if (!session) return <main className="replay" aria-busy="true" data-testid="replay-loading" />;
  return (
    <Replay
      key={session.id}
      session={session}
      t={t}
      client={client}
      backendUrl={backendUrl}
      token={token}
      theme={theme}
      canEdit={canEdit}
      canAsk={canAsk}
    />
  );
}

interface Part {
  key: string;
  track: PoseTrack;
  source: ReplaySource;
  loader: FrameLoader | null;
}

interface Shown {
  t: number;
  playing: boolean;
  speed: number;
}

function Replay({
  session,
  t: startAt,
  client,
  backendUrl,
  token,
  theme,
  canEdit,
  canAsk,
}: {
  session: Session;
  t: number | null;
  client: SessionsClient;
  backendUrl: string;
  token: string | null;
  theme: string;
  canEdit: boolean;
  canAsk: boolean;
}) {
  const duration = Math.max(session.duration_s, ...session.streams.map((s) => s.last_ts ?? 0));
  const streams = useMemo(() => session.streams.filter((s) => s.frames > 0), [session]);
  const playhead = useMemo(() => new Playhead(duration, startAt ?? 0), [duration]);
  const [avatar, setAvatar] = useState(false);
  const parts = useMemo<Part[]>(
    () =>
      streams.map((s) => {
        // The avatar needs skeletons: streams recorded without them get the server's solve.
        const track = new PoseTrack(duration, (span, signal) =>
          client.poses(session.id, s.key, span, signal, avatar),
        );
        return {
          key: s.key,
          track,
          source: new ReplaySource(playhead, track),
          loader: session.video
            ? new FrameLoader(s.frames, (i, signal) => client.frame(session.id, s.key, i, signal))
            : null,
        };
      }),
    [streams, duration, client, session, playhead, avatar],
  );
  useEffect(
    () => () =>
      parts.forEach((p) => {
        p.track.dispose();
        p.loader?.dispose();
      }),
    [parts],
  );

  const [shown, setShown] = useState<Shown>({ t: playhead.at(0), playing: false, speed: 1 });
  const [range, setRangeState] = useState<Span | null>(null);
  const [view3d, setView3d] = useState(0);
  const [loadError, setLoadError] = useState("");
  const urlWritten = useRef({ t: startAt, at: 0 });

  // One loop per display frame: where the playhead is, what to fetch around it, and the
  // time readout (React renders when it moved a display frame's worth or the play state changed).
  useEffect(() => {
    let frame = 0;
    let last: Shown = { t: -1, playing: false, speed: 1 };
    let lastError: string | null = null; // set on the first tick: the effect may re-run
    const tick = () => {
      frame = requestAnimationFrame(tick);
      const now = performance.now();
      const time = playhead.at(now);
      const speed = playhead.playing ? playhead.speed : 0;
      let failure: unknown = null;
      for (const p of parts) {
        p.track.want(time, speed || 1);
        const f = p.track.frameAt(time);
        if (p.loader && f) p.loader.want(f.index, speed);
        failure ??= p.track.error ?? p.loader?.error ?? null;
      }
      const error = failure ? describeError(failure) : "";
      if (error !== lastError) {
        lastError = error;
        setLoadError(error);
      }
      // Paused, any move counts: a frame step can be shorter than a display frame, and the
      // annotation's time is the one shown.
      if (
        Math.abs(time - last.t) >= (playhead.playing ? 1 / 60 : 1e-9) ||
        playhead.playing !== last.playing ||
        playhead.speed !== last.speed
      ) {
        last = { t: time, playing: playhead.playing, speed: playhead.speed };
        setShown(last);
      }
      // The address follows the playhead while paused (replaceState: no hashchange, no history entry).
      const written = urlWritten.current;
      if (!playhead.playing && written.t !== Number(time.toFixed(2)) && now - written.at > 400) {
        urlWritten.current = { t: Number(time.toFixed(2)), at: now };
        history.replaceState(history.state, "", routeHash({ page: "session", id: session.id, t: time }));
      }
    };
    frame = requestAnimationFrame(tick);
    return () => cancelAnimationFrame(frame);
  }, [parts, playhead, session.id]);

  const seek = useCallback((t: number) => playhead.seek(performance.now(), t), [playhead]);
  // A new `t` in the address (a link, the back button): seek there.
  useEffect(() => {
    if (startAt !== null && Math.abs(startAt - playhead.at(performance.now())) > 0.01) seek(startAt);
  }, [startAt, playhead, seek]);

  const fps = streams[0]?.fps || 30;
  const step = useCallback(
    (delta: number) => {
      const now = performance.now();
      playhead.pause(now);
      const track = parts[0]?.track;
      const t = playhead.at(now);
      playhead.seek(now, track ? track.step(t, delta, fps) : t + delta / fps);
    },
    [playhead, parts, fps],
  );
  const setSpeed = (speed: number) => {
    const now = performance.now();
    const sign = playhead.speed < 0 ? -1 : 1;
    playhead.setSpeed(now, sign * speed);
  };
  const markRange = useCallback(
    (edge: "in" | "out") => setRangeState((r) => setRange(r, edge, playhead.at(performance.now()), duration)),
    [playhead, duration],
  );

  useReplayKeys(playhead, step, markRange);

  const { annotations, analytics, marks, sideError, addAnnotation, editAnnotation, deleteAnnotation } =
    useSessionNotes(client, session.id);

  // A frame to draw the heatmap over: the first camera's first frame.
  const [heatFrame, setHeatFrame] = useState<string | null>(null);
  useEffect(() => {
    if (!session.video || !streams[0] || !analytics) return;
    const abort = new AbortController();
    let url: string | null = null;
    client.frame(session.id, streams[0].key, 0, abort.signal).then(
      (blob) => {
        url = URL.createObjectURL(blob);
        setHeatFrame(url);
      },
      () => undefined,
    );
    return () => {
      abort.abort();
      if (url) URL.revokeObjectURL(url);
    };
  }, [client, session, streams, analytics]);

  const clips = useMemo(() => new ClipFlow(client), [client]);
  useEffect(() => () => clips.dispose(), [clips]);

  const [askOpen, setAskOpen] = useState(false);
  const agent = useMemo(() => {
    if (!askOpen) return null;
    const push = openSocket("agent", backendUrl, token);
    return { client: new AgentClient(backendUrl, token, push), push };
  }, [askOpen, backendUrl, token]);
  useEffect(() => () => void agent?.push.close(), [agent]);

  // The browser test reads the replay's state here.
  useEffect(() => {
    (window as unknown as { __poseStudioReplay: unknown }).__poseStudioReplay = { session, playhead, parts };
    return () => {
      delete (window as unknown as { __poseStudioReplay?: unknown }).__poseStudioReplay;
    };
  }, [session, playhead, parts]);

  const selected = parts[view3d] ?? parts[0];
  const first = streams[0];
  const aspect = first?.image ? first.image.width / first.image.height : 4 / 3;
  return (
    <main className={askOpen ? "replay with-ask" : "replay"} data-testid="replay" data-session={session.id}>
      <ReplayHeader
        session={session}
        duration={duration}
        canAsk={canAsk}
        askOpen={askOpen}
        onAsk={() => setAskOpen((o) => !o)}
      />
      {session.note && <p className="banner">{session.note}</p>}
      {(loadError || sideError) && (
        <p className="tile-error" role="alert" data-testid="replay-load-error">
          {loadError || sideError}
        </p>
      )}
      {parts.length === 0 && <p className="muted">Nothing was recorded in this session.</p>}

      <div className="replay-views">
        {parts.map((p, i) => (
          <CameraView key={p.key} stream={streams[i]} source={p.source} loader={p.loader} />
        ))}
        {selected && (
          <Replay3D
            streams={streams}
            source={selected.source}
            chosen={view3d}
            onChoose={setView3d}
            avatar={avatar}
            onAvatar={setAvatar}
            theme={theme}
          />
        )}
      </div>

      <PlaybackControls
        playhead={playhead}
        shown={shown}
        duration={duration}
        range={range}
        onStep={step}
        onSpeed={setSpeed}
        onMark={markRange}
        onClearRange={() => setRangeState(null)}
      />
      <Timeline
        duration={duration}
        t={shown.t}
        range={range}
        marks={marks}
        onSeek={seek}
        onRange={setRangeState}
      />

      <div className="replay-panels">
        <Annotations
          annotations={annotations}
          t={shown.t}
          range={range}
          readOnly={!canEdit}
          onSeek={seek}
          onAdd={addAnnotation}
          onEdit={editAnnotation}
          onDelete={deleteAnnotation}
        />
        <AnalyticsPanel analytics={analytics} frameUrl={heatFrame} aspect={aspect} onSeek={seek} />
        <ClipPanel
          flow={clips}
          sessionId={session.id}
          streams={streams}
          range={range}
          readOnly={!canEdit}
          backendUrl={backendUrl}
          token={token}
        />
        {canEdit && <BehaviourPanel client={client} sessionId={session.id} streams={streams} range={range} />}
      </div>

      {askOpen && agent && (
        <AskPanel
          client={agent.client}
          streamIds={[]}
          streamLabel={(key) => streams.find((s) => s.key === key)?.name ?? key}
          onHighlight={(_, ts) => seek(ts)}
          onClose={() => setAskOpen(false)}
          context={{ session_id: session.id, ts: Number(shown.t.toFixed(2)) }}
          momentLabel={formatTime}
          suggestions={SUGGESTIONS}
        />
      )}
    </main>
  );
}
