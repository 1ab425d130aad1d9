/**
 * What a stream tile shows: its status word, the latest readable error, the stats and the
 * live poses. Fed by the stream's channel and capture loop; read by React a few times a
 * second and by the views on every animation frame.
 */
import { LIVE_MS, LivePoses } from "./poseSource";
import type { StreamPhase } from "./protocol";
import { StreamStats } from "./stats";
import type { PoseMessage, WireError } from "./types";

export type TileStatus =
  | "opening"
  | "starting"
  | "waiting"
  | "live"
  | "no one"
  | "stalled"
  | "stopped"
  | "reconnecting"
  | "signed out"
  | "error";

/** What the tile says besides the status word, for the states that need a sentence. */
export const STATUS_HINTS: Partial<Record<TileStatus, string>> = {
  "no one": "No one in view: step back so your whole body is visible",
  stopped: "Stopped: the camera is off. Start opens it again.",
  "signed out": "The server refused the token or the sign-in ended: enter a new token or sign in (above).",
};

/** Poses without a person for this long mean no one is in view (one missed frame does not). */
export const NO_ONE_MS = 500;

/** What the status depends on besides the server's answers. */
export interface TileInputs {
  /** The camera could not be opened. */
  cameraFailed: boolean;
  /** The camera is open. */
  cameraOpen: boolean;
  /** The person wants the stream running: not stopped (the camera is released then). */
  running: boolean;
  /** The connection to the server is up. */
  connected: boolean;
  /** The server refused the credentials: no reconnect will help until new ones are given. */
  unauthorized?: boolean;
}

const ENCODE_ERROR = "could not encode a frame";
const RATE_LIMITED = "the server drops frames above its rate limit";

export function readableError(error: WireError): string {
  const text: Partial<Record<WireError["code"], string>> = {
    RATE_LIMITED,
    FRAME_TOO_LARGE: "frames are too large for the server: pick a lower quality",
    TOO_MANY_STREAMS: "the server allows no more streams on this connection",
    ENGINE_UNAVAILABLE: "the pose engine is not ready yet; retrying",
    DISCONNECTED: "connection lost; restarting when it is back",
  };
  const lead = text[error.code];
  return lead ? `${lead} (${error.message})` : `${error.code}: ${error.message}`;
}

export class StreamView {
  /** The latest readable error about this stream, shown next to it. */
  error: string | null = null;
  stats: StreamStats;
  readonly poses: LivePoses;
  private phase: StreamPhase = "starting";
  private phaseSince = 0;
  /** When the latest pose with a person in it arrived. */
  private personAt = -Infinity;

  constructor(mirrored: () => boolean, now: number, bones: () => readonly string[] | null = () => null) {
    this.stats = new StreamStats(now);
    this.poses = new LivePoses(mirrored, bones);
  }

  status(inputs: TileInputs, now: number): TileStatus {
    if (inputs.cameraFailed) return "error";
    if (!inputs.running) return "stopped";
    if (inputs.unauthorized) return "signed out";
    if (!inputs.cameraOpen) return "opening";
    if (!inputs.connected) return "reconnecting";
    if (this.phase === "failed") return "error";
    if (this.phase !== "running") return "starting";
    const at = this.poses.latestAt;
    if (at <= this.phaseSince) return "waiting";
    if (now - at >= LIVE_MS) return "stalled";
    const nobody = this.poses.latest?.persons.length === 0;
    return nobody && at - this.personAt >= NO_ONE_MS ? "no one" : "live";
  }

  /** How long the stream has been running on the server (0: not running). */
  runningFor(now: number): number {
    return this.phase === "running" ? now - this.phaseSince : 0;
  }

  get landmarkCount(): number {
    return this.poses.latest?.persons[0]?.landmarks.length ?? 0;
  }

  /** A pose arrived at `now`; latency is measured from its `capture_ts` (epoch ms). */
  posed(pose: PoseMessage, now: number): void {
    const latency = performance.timeOrigin + now - pose.capture_ts;
    this.stats.poseReceived(now, Date.now(), latency, pose.timing.server_ms, pose.dropped);
    this.poses.receive(pose, now);
    if (pose.persons.length > 0) this.personAt = now;
    if (this.error?.startsWith(RATE_LIMITED)) this.error = null;
  }

  phased(phase: StreamPhase, error: WireError | undefined, now: number): void {
    this.phase = phase;
    this.phaseSince = now;
    if (phase === "running") this.error = null;
    else if (error) this.error = readableError(error);
  }

  serverError(error: WireError): void {
    this.error = readableError(error);
  }

  encodeFailed(error: Error | null): void {
    if (error) this.error = `${ENCODE_ERROR}: ${error.message}`;
    else if (this.error?.startsWith(ENCODE_ERROR)) this.error = null;
  }

  /** The person started the stream again: counting starts anew. */
  started(now: number): void {
    this.stats = new StreamStats(now);
  }

  /** The stream stopped: no pose to show until it runs again. */
  stopped(): void {
    this.poses.clear();
    this.personAt = -Infinity;
  }
}

/** Below this fraction of the chosen rate, a live stream is saturated. */
export const SATURATED_FRACTION = 0.7;

/**
 * "Saturated: 6 of 15 poses/s …" when a live stream gets poses well under the chosen
 * rate over a whole stats window (`runningMs` ≥ `windowMs`), else null.
 */
export function saturationHint(
  status: TileStatus,
  chosenFps: number,
  posesPerSecond: number,
  runningMs: number,
  windowMs: number,
): string | null {
  if (status !== "live" || runningMs < windowMs) return null;
  if (posesPerSecond >= SATURATED_FRACTION * chosenFps) return null;
  return (
    `Saturated: ${posesPerSecond.toFixed(1)} of ${chosenFps} poses/s come back. ` +
    "Lower the rate or the quality, or stream fewer cameras."
  );
}
