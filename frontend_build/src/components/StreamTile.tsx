import {
  Suspense,
  lazy,
  useCallback,
  useEffect,
  useReducer,
  useRef,
  useState,
  type ChangeEvent,
} from "react";
import { FRONT, REAR, type CameraChoice } from "../lib/cameras";
import {
  FPS_PRESETS,
  QUALITY_PRESETS,
  bitsPerSecond,
  estimateFrameBytes,
  formatBits,
  formatBytes,
  qualityPreset,
} from "../lib/presets";
import type { StreamSession, TileSettings } from "../lib/session";
import { MAX_TILE_NAME, cleanTileName } from "../lib/remembered";
import { calibrationText } from "../lib/avatar/calibration";
import { STATUS_HINTS, saturationHint } from "../lib/streamView";
import type { PoseMessage } from "../lib/types";
import type { Recorder } from "../lib/recording";
import { PoseOverlay } from "./PoseOverlay";
import { RecordControl } from "./RecordControl";
import { setTransportPreference } from "../lib/webrtc";
import { ShareControl } from "./ShareControl";
import { Sparkline } from "./Sparkline";

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

const fmt = (value: number | null, digits = 0) => (value === null ? "–" : value.toFixed(digits));

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
  const preset = qualityPreset(s.quality);
  const [w, h] = session.capture.size[0]
    ? session.capture.size
    : [video?.videoWidth || 1280, video?.videoHeight || 720];
  const saturated = saturationHint(
    status,
    s.fps,
    stats.posesPerSecond,
    session.view.runningFor(now),
    session.view.stats.windowMs,
  );
  const measured = stats.bytesPerFrame;
  // The rate actually sent once frames go out (the chosen one is only an upper bound).
  const sentFps = measured === null ? s.fps : Math.round(stats.sentPerSecond * 10) / 10;
  const perFrame = measured ?? estimateFrameBytes(w, h, preset);
  const update = (change: Partial<TileSettings>) => session.update(change);
  const choices = [FRONT, REAR, ...cameras];
  const title = tileTitle(session);
  const uid = session.id;

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
            onChange={(e) => update({ name: cleanTileName(e.target.value) })}
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

      <dl className="stats">
        <Stat
          label="Transport"
          testId="transport"
          value={session.transport === "webrtc" ? "WebRTC" : "Socket.IO"}
          hint={session.fallbackReason ? `WebRTC unavailable: ${session.fallbackReason}` : undefined}
        />
        <Stat label="Poses/s" testId="pose-fps" value={fmt(stats.posesPerSecond, 1)} />
        <Stat label="Latency p50" testId="latency-ms" value={fmt(stats.latencyP50)} unit="ms" />
        <Stat label="Server p50" testId="server-ms" value={fmt(stats.serverP50, 1)} unit="ms" />
        <Stat
          label="Encode p50"
          testId="encode-ms"
          value={fmt(stats.encodeP50)}
          unit="ms"
          hint="capture and JPEG encoding in the browser"
        />
        <Stat label="Landmarks" testId="landmark-count" value={String(session.view.landmarkCount)} />
        <Stat label="Sent" testId="frames-sent" value={String(stats.framesSent)} />
        <Stat
          label="Dropped"
          testId="dropped"
          value={String(stats.serverDropped)}
          hint="frames the server dropped (a newer one replaced them, or over its rate limit)"
        />
        <Stat
          label="Skipped"
          testId="skipped"
          value={String(stats.skipped)}
          hint="captures skipped in the browser while max_in_flight frames were unanswered"
        />
      </dl>
      <div className="spark-row">
        <Sparkline
          points={session.view.stats.history}
          now={Date.now()}
          highlight={highlight}
          label={`Latency over the last minute, p50 ${fmt(stats.latencyP50)} ms`}
        />
        <span className="spark-caption">latency, last 60 s (line: 100 ms)</span>
      </div>

      <div className="controls">
        <label className="camera">
          <span>Camera</span>
          <select
            id={`${uid}-camera`}
            data-testid="camera-select"
            value={s.camera}
            onChange={(e: ChangeEvent<HTMLSelectElement>) => update({ camera: e.target.value })}
          >
            {choices.map((c) => (
              <option key={c.id} value={c.id}>
                {c.label}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span>Rate</span>
          <select
            data-testid="fps-select"
            value={s.fps}
            onChange={(e) => update({ fps: Number(e.target.value) })}
          >
            {FPS_PRESETS.filter((f) => f <= maxFps).map((f) => (
              <option key={f} value={f}>
                {f} FPS
              </option>
            ))}
          </select>
        </label>
        <label>
          <span>Quality</span>
          <select
            data-testid="quality-select"
            value={s.quality}
            onChange={(e) => update({ quality: e.target.value as TileSettings["quality"] })}
          >
            {QUALITY_PRESETS.map((q) => (
              <option key={q.id} value={q.id}>
                {q.label}
              </option>
            ))}
          </select>
        </label>
        <label title="Auto: WebRTC on the LAN, Socket.IO when WebRTC is off or does not connect within 3 s">
          <span>Transport</span>
          <select
            data-testid="transport-select"
            value={s.transport}
            onChange={(e) => {
              const transport = e.target.value as TileSettings["transport"];
              setTransportPreference(transport);
              update({ transport });
            }}
          >
            <option value="auto">Auto</option>
            <option value="webrtc">WebRTC</option>
            <option value="socketio">Socket.IO</option>
          </select>
        </label>
        <Toggle label="Mirror" testId="mirror-toggle" checked={s.mirror} set={(v) => update({ mirror: v })} />
        <Toggle
          label="Smoothing"
          testId="smoothing-toggle"
          checked={s.smoothing}
          set={(v) => update({ smoothing: v })}
        />
        <Fraction
          label="Strength"
          testId="smoothing-strength"
          enabled={s.smoothing}
          value={s.strength}
          set={(v) => update({ strength: v })}
        />
        <Toggle label="Avatar" testId="avatar-toggle" checked={s.avatar} set={(v) => update({ avatar: v })} />
        <Toggle
          label="Hands"
          testId="hands-toggle"
          title="21 landmarks per hand, on the overlay and the avatar's fingers"
          checked={s.hands}
          set={(v) => update({ hands: v })}
        />
        <Fraction
          label="Avatar smoothing"
          testId="avatar-smoothing"
          title="the avatar's own smoothing, in the browser"
          enabled={s.avatar}
          value={s.avatarSmoothing}
          set={(v) => update({ avatarSmoothing: v })}
        />
        <p className="bandwidth" data-testid="bandwidth">
          {measured === null ? "≈ " : ""}
          <span data-testid="bytes-per-frame">{formatBytes(perFrame)}</span>/frame ×{" "}
          <span data-testid="sent-fps">{sentFps}</span> FPS {measured === null ? "chosen" : "sent"} ={" "}
          {measured === null ? "≈ " : ""}
          {formatBits(bitsPerSecond(perFrame, sentFps))} up{measured === null ? " (estimate)" : ""}
        </p>
      </div>
    </article>
  );
}

/** What a tile is called: the name the person gave it, else its camera's label. */
export function tileTitle(session: StreamSession): string {
  return session.settings.name.trim() || session.camera.label || "Camera";
}

/** Calibrate: a countdown, then the server measures ~2 s of frames and says why it refused, if it did. */
/** A tile option as a labelled checkbox. */
function Toggle(props: {
  label: string;
  testId: string;
  title?: string;
  checked: boolean;
  set: (v: boolean) => void;
}) {
  return (
    <label className="check" title={props.title}>
      <input
        type="checkbox"
        data-testid={props.testId}
        checked={props.checked}
        onChange={(e) => props.set(e.target.checked)}
      />
      <span>{props.label}</span>
    </label>
  );
}

/** A 0–1 slider in steps of 0.1, greyed out while what it tunes is off. */
function Fraction(props: {
  label: string;
  testId: string;
  title?: string;
  enabled: boolean;
  value: number;
  set: (v: number) => void;
}) {
  return (
    <label className={props.enabled ? "range" : "range disabled"} title={props.title}>
      <span>{props.label}</span>
      <input
        type="range"
        min={0}
        max={1}
        step={0.1}
        data-testid={props.testId}
        disabled={!props.enabled}
        value={props.value}
        onChange={(e) => props.set(Number(e.target.value))}
      />
    </label>
  );
}

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

function Stat({
  label,
  value,
  unit,
  testId,
  hint,
}: {
  label: string;
  value: string;
  unit?: string;
  testId: string;
  hint?: string;
}) {
  return (
    <div className="stat" title={hint}>
      <dt>{label}</dt>
      <dd>
        <span data-testid={testId}>{value}</span>
        {unit && <small> {unit}</small>}
      </dd>
    </div>
  );
}
