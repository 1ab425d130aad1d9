import { Suspense, lazy, useCallback, useEffect, useReducer, useRef, useState } from "react";
import type { CameraChoice } from "../lib/cameras";
import type { StreamSession } from "../lib/session";
import { MAX_TILE_NAME, cleanTileName } from "../lib/remembered";
import { calibrationText } from "../lib/avatar/calibration";
import { STATUS_HINTS, saturationHint } from "../lib/streamView";
import type { PoseMessage } from "../lib/types";
import type { Recorder } from "../lib/recording";
import { PoseOverlay } from "./PoseOverlay";
import { RecordControl } from "./RecordControl";
import { ShareControl } from "./ShareControl";
import { TileControls } from "./TileControls";
import { TileStats } from "./TileStats";

// three.js is most of the bundle: load it beside the camera, not before the first paint.
const Pose3D = lazy(() => import("./Pose3D").then((m) => ({ default: m.Pose3D })));
// The avatar (three.js + the mannequin; three-vrm only once a .vrm is opened) loads when it is turned on.
const AvatarView = lazy(() => import("./AvatarView").then((m) => ({ default: m.AvatarView })));

/** Re-render a few times a second: stats change continuously, React need not follow each pose. */
function useRefresh(session: StreamSession, everyMs = 250): void {
  const [, bump] = useReducer((n: number) => n + 1, 0);
  useEffect(() => {
    const timer = setInterval(bump, everyMs);
    const off = session.subscribe(bump);
    return () => {
      clearInterval(timer);
      off();
    };
  }, [session, everyMs]);
}

export function StreamTile({
  session,
  cameras,
  maxFps,
  theme,
  highlight,
  onRemove,
  onShare,
  recorder,
  focusOnMount = false,
}: {
  session: StreamSession;
  cameras: CameraChoice[];
  maxFps: number;
  theme: string;
  highlight: number | null;
  onRemove: () => void;
  /** Share the running stream (absent: this person may not). */
  onShare?: (id: string, emails: string[]) => Promise<{ shared_with: string[] }>;
  /** Record this stream (absent: this person may not). */
  recorder?: Recorder;
  /** The tile was just added: focus moves to it (not left on the button that added it). */
  focusOnMount?: boolean;
}) {
  useRefresh(session);
  const tileRef = useRef<HTMLElement>(null);
  useEffect(() => {
    if (focusOnMount) tileRef.current?.focus();
  }, [focusOnMount]);
  const [video, setVideo] = useState<HTMLVideoElement | null>(null);
  useEffect(() => session.attach(video), [session, video]);
  const onDrawn = useCallback((pose: PoseMessage | null) => (session.drawnPose = pose), [session]);
  const onProbe = useCallback((probe: unknown) => (session.avatarProbe = probe), [session]);

  const s = session.settings;
  const status = session.status;
  const hint = STATUS_HINTS[status];
  const now = performance.now();
  const stats = session.view.stats.snapshot(now);
  const saturated = saturationHint(
    status,
    s.fps,
    stats.posesPerSecond,
    session.view.runningFor(now),
    session.view.stats.windowMs,
  );
  const title = tileTitle(session);

  return (
    <article
      ref={tileRef}
      tabIndex={-1}
      className="tile"
      data-testid="stream-tile"
      data-stream-id={session.id}
      aria-label={`Stream ${s.number}: ${title}`}
    >
      <header className="tile-head">
        <h2 className="sr-only">
          Stream {s.number}: {title}
        </h2>
        <div className="tile-title">
          <span className="tile-number" data-testid="tile-number" aria-hidden="true">
            {s.number}
          </span>
          <input
            className="tile-name"
            data-testid="tile-name"
            aria-label={`Name of stream ${s.number}`}
            value={s.name}
            placeholder={session.camera.label || "Camera"}
            maxLength={MAX_TILE_NAME}
            spellCheck={false}
            onChange={(e) => session.update({ name: cleanTileName(e.target.value) })}
            onKeyDown={(e) => e.key === "Enter" && e.currentTarget.blur()}
          />
        </div>
        <span
          className={`pill pill-${status.replace(" ", "-")}`}
          data-testid="stream-status"
          aria-live="polite"
        >
          {status}
        </span>
        <div className="tile-actions">
          <button
            type="button"
            className="btn"
            data-testid="stream-toggle"
            onClick={() => void session.setRunning(!session.running)}
            disabled={session.running && !session.camera.stream}
          >
            {session.running ? "Stop" : "Start"}
          </button>
          {onShare && <ShareControl serverId={session.running ? session.serverId : null} onShare={onShare} />}
          <button
            type="button"
            className="btn btn-ghost"
            data-testid="stream-remove"
            onClick={onRemove}
            aria-label={`Remove stream ${title}`}
          >
            Remove
          </button>
        </div>
      </header>

      {recorder && (
        <RecordControl
          recorder={recorder}
          streamId={session.id}
          running={
            session.running &&
            (session.transport === "webrtc"
              ? session.serverId !== null
              : session.channel.connection.isRunning(session.id))
          }
        />
      )}
      <div className={s.avatar ? "views with-avatar" : "views"}>
        <div className="stage">
          <video
            ref={setVideo}
            className={s.mirror ? "mirrored" : ""}
            autoPlay
            muted
            playsInline
            aria-label="Camera preview"
          />
          <PoseOverlay poses={session.poses} video={video} onDrawn={onDrawn} />
          {hint && (
            <p className={`stage-hint stage-hint-${status.replace(" ", "-")}`} data-testid="stream-hint">
              {hint}
            </p>
          )}
          {saturated && (
            <p className="stage-hint stage-hint-saturated" data-testid="stream-saturated" role="status">
              {saturated}
            </p>
          )}
          {session.camera.error && (
            <div className="stage-message">
              <p>{session.camera.error}</p>
              <button type="button" className="btn" onClick={() => void session.open()}>
                Try again
              </button>
            </div>
          )}
        </div>
        <Suspense fallback={<div className="view3d" aria-busy="true" />}>
          <Pose3D poses={session.poses} theme={theme} />
        </Suspense>
        {s.avatar && (
          <Suspense fallback={<div className="view3d avatar" aria-busy="true" />}>
            <AvatarView poses={session.poses} theme={theme} smoothing={s.avatarSmoothing} onProbe={onProbe} />
          </Suspense>
        )}
      </div>
      {s.avatar && <CalibrationRow session={session} />}

      {session.view.error && (
        <p className="tile-error" role="alert" data-testid="stream-error">
          {session.view.error}
        </p>
      )}

      <TileStats session={session} stats={stats} highlight={highlight} />

      <TileControls session={session} cameras={cameras} maxFps={maxFps} video={video} stats={stats} />
    </article>
  );
}

/** What a tile is called: the name the person gave it, else its camera's label. */
export function tileTitle(session: StreamSession): string {
  return session.settings.name.trim() || session.camera.label || "Camera";
}

/** Calibrate: a countdown, then the server measures ~2 s of frames and says why it refused, if it did. */
function CalibrationRow({ session }: { session: StreamSession }) {
  const calibration = session.calibration;
  const phase = calibration.phase;
  const [, tick] = useReducer((n: number) => n + 1, 0);
  useEffect(() => {
    if (phase.kind !== "countdown") return;
    const timer = setInterval(tick, 200);
    return () => clearInterval(timer);
  }, [phase]);
  const text = calibrationText(phase, calibration.secondsLeft(performance.now()));
  const tone = phase.kind === "verdict" ? (phase.verdict.accepted ? "ok" : "refused") : phase.kind;
  return (
    <div className="calibration-row">
      <button
        type="button"
        className="btn"
        data-testid="avatar-calibrate"
        onClick={() => session.calibrate()}
        disabled={calibration.busy || !session.running || session.status !== "live"}
        title="Stand in view with your arms held out level to the sides"
      >
        Calibrate (T-pose)
      </button>
      <span
        className={`calibration calibration-${tone}`}
        data-testid="avatar-calibration"
        data-phase={phase.kind}
        aria-live="polite"
      >
        {text}
      </span>
    </div>
  );
}
