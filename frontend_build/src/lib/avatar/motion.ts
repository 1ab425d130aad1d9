/**
 * Display-rate motion from poses that arrive at 10–15 Hz: each new skeleton starts a
 * segment from what is shown at that moment to the new rotations, played over the time
 * between the two poses' captures (slerp), then an optional client-side smoothing (an
 * exponential slerp towards it). No three.js here: plain arrays, unit-tested.
 */
import type { PoseMessage, SkeletonWire } from "../types";
import { AVATAR_BONES } from "./bones";

/** Quaternions `[x, y, z, w]`, four numbers per bone, in the wire's bone order. */
export type Rotations = Float64Array;

/** Slerp of the unit quaternions at `a[i..i+4]` and `b[j..j+4]` by `t`, written to `out[k..k+4]`. */
export function slerpInto(
  out: Float64Array,
  k: number,
  a: ArrayLike<number>,
  i: number,
  b: ArrayLike<number>,
  j: number,
  t: number,
): void {
  const ax = a[i], ay = a[i + 1], az = a[i + 2], aw = a[i + 3]; // prettier-ignore
  let bx = b[j], by = b[j + 1], bz = b[j + 2], bw = b[j + 3]; // prettier-ignore
  let cos = ax * bx + ay * by + az * bz + aw * bw;
  // q and -q are the same rotation: take the short way round.
  if (cos < 0) {
    bx = -bx;
    by = -by;
    bz = -bz;
    bw = -bw;
    cos = -cos;
  }
  let wa = 1 - t;
  let wb = t;
  if (cos < 0.9995) {
    const angle = Math.acos(Math.min(1, cos));
    const sin = Math.sin(angle);
    wa = Math.sin((1 - t) * angle) / sin;
    wb = Math.sin(t * angle) / sin;
  }
  let x = wa * ax + wb * bx, y = wa * ay + wb * by, z = wa * az + wb * bz, w = wa * aw + wb * bw; // prettier-ignore
  const norm = Math.hypot(x, y, z, w) || 1;
  x /= norm;
  y /= norm;
  z /= norm;
  w /= norm;
  out[k] = x;
  out[k + 1] = y;
  out[k + 2] = z;
  out[k + 3] = w;
}

/** What the avatar shows at one moment. */
export interface MotionState {
  rotations: Rotations;
  root: [number, number, number];
  scale: number;
  calibrated: boolean;
}

/** Identity rotations for `count` bones. */
export function restRotations(count: number): Rotations {
  const r = new Float64Array(count * 4);
  for (let b = 0; b < count; b++) r[b * 4 + 3] = 1;
  return r;
}

/** The relaxed pose (upper arms lowered 70°, like the solver's) in `bones` order. */
export function relaxedRotations(bones: readonly string[] = AVATAR_BONES): Rotations {
  const r = restRotations(bones.length);
  const half = (70 * Math.PI) / 360;
  for (const [name, sign] of [
    ["leftUpperArm", -1],
    ["rightUpperArm", 1],
  ] as const) {
    const b = bones.indexOf(name);
    if (b < 0) continue;
    r[b * 4 + 2] = sign * Math.sin(half);
    r[b * 4 + 3] = Math.cos(half);
  }
  return r;
}

function state(count: number): MotionState {
  const rotations = count === AVATAR_BONES.length ? relaxedRotations() : restRotations(count);
  return { rotations, root: [0, 0, 0], scale: 1, calibrated: false };
}

function copyState(from: MotionState, to: MotionState): void {
  to.rotations.set(from.rotations);
  to.root = [...from.root];
  to.scale = from.scale;
  to.calibrated = from.calibrated;
}

/** A segment longer than this (a stall, a restart) is not played: the avatar goes there at once. */
export const MAX_SEGMENT_MS = 500;
/** Smoothing strength 1 follows with this time constant. */
export const MAX_SMOOTHING_MS = 250;

export class SkeletonMotion {
  /** What is shown: updated by `sample`. */
  readonly shown: MotionState;
  /** Skeletons received (a new pose object with a skeleton). */
  received = 0;
  private from: MotionState;
  private to: MotionState;
  /** The segment from `from` to `to` starts at `startAt` and lasts `durationMs` (display time). */
  private startAt = 0;
  private durationMs = 0;
  private lastPose: PoseMessage | null = null;
  private target: MotionState;
  private sampledAt: number | null = null;
  /** 0: show the interpolation as it is; 1: follow it with `MAX_SMOOTHING_MS`. */
  smoothing = 0;
  /** Whether the last `sample` showed the latest skeleton itself (the segment played, the smoothing caught up). */
  settled = false;

  constructor(readonly count: number = AVATAR_BONES.length) {
    this.shown = state(count);
    this.from = state(count);
    this.to = state(count);
    this.target = state(count);
  }

  /** The pose whose skeleton the avatar is heading to (null: none since the last `reset`). */
  get pose(): PoseMessage | null {
    return this.lastPose;
  }

  /** Whether a skeleton has been received since the last `reset`. */
  get live(): boolean {
    return this.lastPose !== null;
  }

  /**
   * The source's pose at `now` (a `performance.now()` time). A pose seen before, one
   * without a skeleton, or one captured before the last (out of order) changes nothing;
   * returns whether a new segment started.
   */
  push(pose: PoseMessage | null, now: number): boolean {
    const skeleton: SkeletonWire | null | undefined = pose?.skeleton;
    if (!pose || pose === this.lastPose || !skeleton || skeleton.rotations.length !== this.count)
      return false;
    const last = this.lastPose;
    if (last && pose.capture_ts < last.capture_ts) return false;
    // Start from what is on screen now, so a pose that comes early or late never jumps.
    this.interpolate(now, this.from);
    const gap = last ? pose.capture_ts - last.capture_ts : 0;
    this.durationMs = last && gap > 0 && gap <= MAX_SEGMENT_MS ? gap : 0;
    this.startAt = now;
    const rotations = this.to.rotations;
    skeleton.rotations.forEach((q, b) => rotations.set(q, b * 4));
    this.to.root = [skeleton.root[0], skeleton.root[1], skeleton.root[2]];
    this.to.scale = skeleton.scale;
    this.to.calibrated = skeleton.calibrated;
    if (!last) copyState(this.to, this.from);
    this.lastPose = pose;
    this.received++;
    return true;
  }

  /** Back to the relaxed pose (the stream stopped). */
  reset(): void {
    const fresh = state(this.count);
    for (const s of [this.shown, this.from, this.to, this.target]) copyState(fresh, s);
    this.lastPose = null;
    this.durationMs = 0;
    this.sampledAt = null;
  }

  /** The segment's state at `now` into `out`: `from` slerped towards `to`. */
  private interpolate(now: number, out: MotionState): number {
    const t = this.durationMs > 0 ? Math.min(1, Math.max(0, (now - this.startAt) / this.durationMs)) : 1;
    const { from, to } = this;
    for (let k = 0; k < this.count * 4; k += 4)
      slerpInto(out.rotations, k, from.rotations, k, to.rotations, k, t);
    out.root = [0, 1, 2].map((c) => from.root[c] + (to.root[c] - from.root[c]) * t) as [
      number,
      number,
      number,
    ];
    out.scale = from.scale + (to.scale - from.scale) * t;
    out.calibrated = to.calibrated;
    return t;
  }

  /** What to show at `now` (display time, called once per animation frame); returns `shown`. */
  sample(now: number): MotionState {
    const t = this.interpolate(now, this.target);
    const dt = this.sampledAt === null ? Infinity : Math.max(0, now - this.sampledAt);
    this.sampledAt = now;
    const tau = Math.min(1, Math.max(0, this.smoothing)) * MAX_SMOOTHING_MS;
    const follow = tau <= 0 ? 1 : 1 - Math.exp(-dt / tau);
    const { shown, target } = this;
    for (let k = 0; k < this.count * 4; k += 4)
      slerpInto(shown.rotations, k, shown.rotations, k, target.rotations, k, follow);
    shown.root = [0, 1, 2].map((c) => shown.root[c] + (target.root[c] - shown.root[c]) * follow) as [
      number,
      number,
      number,
    ];
    shown.scale += (target.scale - shown.scale) * follow;
    shown.calibrated = target.calibrated;
    let gap = 0;
    for (let k = 0; k < this.count * 4; k++)
      gap = Math.max(gap, Math.abs(shown.rotations[k] - target.rotations[k]));
    this.settled = t >= 1 && gap < 1e-4;
    return shown;
  }
}
