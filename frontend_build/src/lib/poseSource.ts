/**
 * Where the views (2D overlay, 3D view, the avatar to come) get the pose to show. They read
 * a `PoseSource` and nothing else, so the live stream (`LivePoses`) and a recorded session
 * played back feed the same views.
 */
import type { Person, PoseMessage } from "./types";

export interface PoseSource {
  /** The pose to show at `now` (a `performance.now()` time), or null: none yet, too old, or stopped. */
  poseAt(now: number): PoseMessage | null;
  /** Whether to show it mirrored, like the video beside it. */
  readonly mirrored: boolean;
  /** The order of a pose's `skeleton.rotations` (null or absent: the solver's default order). */
  readonly bones?: readonly string[] | null;
}

/** A live pose older than this no longer counts as live (and is no longer drawn). */
export const LIVE_MS = 2000;

/** The newest pose of a live stream, shown while it is younger than `LIVE_MS`. */
export class LivePoses implements PoseSource {
  latest: PoseMessage | null = null;
  /** When the latest pose arrived (0: none yet). */
  latestAt = 0;

  constructor(
    private readonly mirror: () => boolean,
    private readonly boneOrder: () => readonly string[] | null = () => null,
  ) {}

  get mirrored(): boolean {
    return this.mirror();
  }

  get bones(): readonly string[] | null {
    return this.boneOrder();
  }

  receive(pose: PoseMessage, now: number): void {
    this.latest = pose;
    this.latestAt = now;
  }

  /** Nothing to show until the next pose. */
  clear(): void {
    this.latest = null;
    this.latestAt = 0;
  }

  poseAt(now: number): PoseMessage | null {
    return this.latest !== null && now - this.latestAt < LIVE_MS ? this.latest : null;
  }
}

/** What a view shows at one moment. */
export interface Shown {
  pose: PoseMessage | null;
  /** The person drawn: the pose's first, if it has one. */
  person: Person | null;
  mirrored: boolean;
}

/**
 * Views redraw only when what they show changed: `next` returns what to show, or null
 * when it is what the view showed last. `extra` carries the view's own inputs (its size).
 */
export class PoseFollower {
  private shown: { pose: PoseMessage | null; mirrored: boolean; extra: string } | null = null;

  constructor(readonly source: PoseSource) {}

  next(now: number, extra = ""): Shown | null {
    const pose = this.source.poseAt(now);
    const mirrored = this.source.mirrored;
    const last = this.shown;
    if (last && last.pose === pose && last.mirrored === mirrored && last.extra === extra) return null;
    this.shown = { pose, mirrored, extra };
    return { pose, person: pose?.persons[0] ?? null, mirrored };
  }
}
