/**
 * A recorded stream played back as a `PoseSource`: the overlay, the 3D view and the avatar
 * read it exactly as they read a live stream. The pose shown at any moment is the stream's
 * frame under the playhead.
 *
 * The avatar plays each new pose over the gap between its `capture_ts` and the last one's
 * and ignores poses captured before the last; a replay scrubs backwards and changes speed.
 * So the poses handed out carry a `capture_ts` of the replay's own: the playhead's
 * `version` (every seek, play and speed change) far apart, and within one version the
 * session time scaled by the speed, growing the way it plays. A seek then jumps, playing
 * interpolates over the display time between frames, and backwards is forwards to it.
 */
import type { PoseSource } from "../lib/poseSource";
import type { PoseMessage } from "../lib/types";
import type { RecordedFrame } from "./api";
import type { Playhead } from "./timeline";

/** Capture times of two playhead versions are this far apart (ms): far beyond the avatar's 500 ms segments. */
export const VERSION_SPAN_MS = 1e9;

export interface FrameLookup {
  frameAt(t: number): RecordedFrame | null;
}

export class ReplaySource implements PoseSource {
  readonly mirrored = false;
  readonly bones = null;
  private readonly shown = new WeakMap<RecordedFrame, { version: number; pose: PoseMessage }>();
  /** The frame under the playhead at the last `poseAt`. */
  frame: RecordedFrame | null = null;

  constructor(
    private readonly playhead: Playhead,
    private readonly track: FrameLookup,
  ) {}

  poseAt(now: number): PoseMessage | null {
    const frame = this.track.frameAt(this.playhead.at(now));
    this.frame = frame;
    if (!frame) return null;
    const version = this.playhead.version;
    const seen = this.shown.get(frame);
    if (seen && seen.version === version) return seen.pose;
    const speed = Math.abs(this.playhead.speed) >= 0.01 ? this.playhead.speed : 1;
    const pose = { ...frame.pose, capture_ts: version * VERSION_SPAN_MS + (frame.ts * 1000) / speed };
    this.shown.set(frame, { version, pose });
    return pose;
  }
}
