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
import type { StatsSnapshot } from "../lib/stats";
import { setTransportPreference } from "../lib/webrtc";

const TRANSPORTS = [
  ["auto", "Auto"],
  ["webrtc", "WebRTC"],
  ["socketio", "Socket.IO"],
] as const;

/** A tile's settings (camera, rate, quality, transport, toggles) and the bandwidth they cost. */
export function TileControls({
  session,
  cameras,
  maxFps,
  video,
  stats,
}: {
  session: StreamSession;
  cameras: CameraChoice[];
  maxFps: number;
  video: HTMLVideoElement | null;
  stats: StatsSnapshot;
}) {
  const s = session.settings;
  const preset = qualityPreset(s.quality);
  const [w, h] = session.capture.size[0]
    ? session.capture.size
    : [video?.videoWidth || 1280, video?.videoHeight || 720];
  const measured = stats.bytesPerFrame;
  // The rate actually sent once frames go out (the chosen one is only an upper bound).
  const sentFps = measured === null ? s.fps : Math.round(stats.sentPerSecond * 10) / 10;
  const perFrame = measured ?? estimateFrameBytes(w, h, preset);
  const update = (change: Partial<TileSettings>) => session.update(change);
  const choices = [FRONT, REAR, ...cameras];
  const uid = session.id;

  return (
    <div className="controls">
      <Choice
        label="Camera"
        className="camera"
        id={`${uid}-camera`}
        testId="camera-select"
        value={s.camera}
        options={choices.map((c) => [c.id, c.label])}
        set={(v) => update({ camera: v })}
      />
      <Choice
        label="Rate"
        testId="fps-select"
        value={s.fps}
        options={FPS_PRESETS.filter((f) => f <= maxFps).map((f) => [f, `${f} FPS`])}
        set={(v) => update({ fps: Number(v) })}
      />
      <Choice
        label="Quality"
        testId="quality-select"
        value={s.quality}
        options={QUALITY_PRESETS.map((q) => [q.id, q.label])}
        set={(v) => update({ quality: v as TileSettings["quality"] })}
      />
      <Choice
        label="Transport"
        title="Auto: WebRTC on the LAN, Socket.IO when WebRTC is off or does not connect within 3 s"
        testId="transport-select"
        value={s.transport}
        options={TRANSPORTS}
        set={(v) => {
          const transport = v as TileSettings["transport"];
          setTransportPreference(transport);
          update({ transport });
        }}
      />
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
  );
}

/** A tile option as a labelled drop-down of (value, label) pairs. */
function Choice(props: {
  label: string;
  testId: string;
  id?: string;
  className?: string;
  title?: string;
  value: string | number;
  options: readonly (readonly [string | number, string])[];
  set: (v: string) => void;
}) {
  return (
    <label className={props.className} title={props.title}>
      <span>{props.label}</span>
      <select
        id={props.id}
        data-testid={props.testId}
        value={props.value}
        onChange={(e) => props.set(e.target.value)}
      >
        {props.options.map(([value, label]) => (
          <option key={value} value={value}>
            {label}
          </option>
        ))}
      </select>
    </label>
  );
}

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
