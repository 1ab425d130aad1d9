/**
 * A recorded session played back from memory: each pose at its time since the recording
 * began. The smallest `PoseSource` besides the live one, to show the views need no more.
 */
import type { PoseSource } from "../src/lib/poseSource";
import type { PoseMessage } from "../src/lib/types";

export class ReplayPoses implements PoseSource {
  mirrored = false;
  private startedAt = 0;

  constructor(
    private readonly recording: ReadonlyArray<{ at: number; pose: PoseMessage }>,
    private readonly duration: number,
  ) {}

  play(now: number): void {
    this.startedAt = now;
  }

  poseAt(now: number): PoseMessage | null {
    const t = now - this.startedAt;
    if (t < 0 || t >= this.duration) return null;
    let shown: PoseMessage | null = null;
    for (const { at, pose } of this.recording) if (at <= t) shown = pose;
    return shown;
  }
}
