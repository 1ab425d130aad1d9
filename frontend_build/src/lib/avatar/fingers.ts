/**
 * The avatar's fingers from the hands' 21 landmarks (`pose.hands`): per finger segment, a
 * curl (radians) from the angle between consecutive segments, the first measured against
 * the hand bone (wrist → knuckle), bounded per joint; then a rotation about the bend axis
 * of the VRM 1.0 T-pose (palms down, the left hand along +X), put on the model's
 * normalised finger bones. Computed in the studio; the server sends only landmarks.
 */
import * as THREE from "three";
import type { HandPose } from "../generated/protocol";
import type { AvatarModel } from "./model";

export type HandSide = "left" | "right";
export type Finger = "Thumb" | "Index" | "Middle" | "Ring" | "Little";

/** Each finger's landmarks: the wrist or the hand's base, then its four points. */
export const FINGER_LANDMARKS: Record<Finger, readonly [number, number, number, number, number]> = {
  Thumb: [0, 1, 2, 3, 4],
  Index: [0, 5, 6, 7, 8],
  Middle: [0, 9, 10, 11, 12],
  Ring: [0, 13, 14, 15, 16],
  Little: [0, 17, 18, 19, 20],
};

export const FINGERS: readonly Finger[] = ["Thumb", "Index", "Middle", "Ring", "Little"];

/** The VRM 1.0 humanoid bone names of a finger's three segments, knuckle first. */
export function segmentBones(side: HandSide, finger: Finger): [string, string, string] {
  const parts =
    finger === "Thumb" ? ["Metacarpal", "Proximal", "Distal"] : ["Proximal", "Intermediate", "Distal"];
  return parts.map((p) => `${side}${finger}${p}`) as [string, string, string];
}

/** Every finger bone the avatar drives: 15 per hand. */
export const FINGER_BONES: readonly string[] = (["left", "right"] as const).flatMap((side) =>
  FINGERS.flatMap((f) => segmentBones(side, f)),
);

/** The most each segment bends (radians), knuckle first: a fist, never further. */
export const CURL_LIMITS: Record<Finger, readonly [number, number, number]> = {
  Thumb: [0.9, 1.0, 1.3],
  Index: [1.6, 1.9, 1.4],
  Middle: [1.6, 1.9, 1.4],
  Ring: [1.6, 1.9, 1.4],
  Little: [1.6, 1.9, 1.4],
};

type V = [number, number, number];

function point(landmarks: HandPose["landmarks"], i: number, yScale: number): V | null {
  const l = landmarks[i];
  if (!l) return null;
  const p: V = [l[0], l[1] * yScale, l[2]];
  return p.every(Number.isFinite) ? p : null;
}

/** The angle between two segments (0: straight on), or null when either has no length. */
export function bendAngle(a: V, b: V, c: V): number | null {
  const u = [b[0] - a[0], b[1] - a[1], b[2] - a[2]];
  const v = [c[0] - b[0], c[1] - b[1], c[2] - b[2]];
  const nu = Math.hypot(u[0], u[1], u[2]);
  const nv = Math.hypot(v[0], v[1], v[2]);
  if (!(nu > 1e-9) || !(nv > 1e-9)) return null;
  const cos = (u[0] * v[0] + u[1] * v[1] + u[2] * v[2]) / (nu * nv);
  const angle = Math.acos(Math.min(1, Math.max(-1, cos)));
  return Number.isFinite(angle) ? angle : null;
}

/**
 * Curls of a hand, 15 numbers (fingers in `FINGERS` order, three segments each, knuckle
 * first), each within [0, its limit]; a segment that cannot be measured (missing or
 * non-finite landmarks, zero length) is 0. `aspect` is the image's height / width, since
 * x and z are on the scale of the width and y on the scale of the height.
 */
export function fingerCurls(landmarks: HandPose["landmarks"], aspect = 1): number[] {
  const yScale = Number.isFinite(aspect) && aspect > 0 ? aspect : 1;
  const out: number[] = [];
  for (const finger of FINGERS) {
    const pts = FINGER_LANDMARKS[finger].map((i) => point(landmarks, i, yScale));
    for (let s = 0; s < 3; s++) {
      const [a, b, c] = [pts[s], pts[s + 1], pts[s + 2]];
      const angle = a && b && c ? bendAngle(a, b, c) : null;
      out.push(angle === null ? 0 : Math.min(CURL_LIMITS[finger][s], angle));
    }
  }
  return out;
}

const SQRT1_2 = Math.SQRT1_2;
/**
 * The bend axis in the T-pose: fingers curl towards the palm (down, −Y) about ±Z; the
 * thumb curls down and across the palm (towards −Z) about an oblique axis. The right hand
 * mirrors the left through the body's mid-plane (an axis (x, y, z) becomes (x, −y, −z)).
 */
function bendAxis(side: HandSide, finger: Finger): THREE.Vector3 {
  const left = finger === "Thumb" ? new THREE.Vector3(0, SQRT1_2, -SQRT1_2) : new THREE.Vector3(0, 0, -1);
  return side === "left" ? left : new THREE.Vector3(left.x, -left.y, -left.z);
}

/** A segment's local rotation for a curl. */
export function curlRotation(side: HandSide, finger: Finger, curl: number): THREE.Quaternion {
  const angle = Number.isFinite(curl) ? curl : 0;
  return new THREE.Quaternion().setFromAxisAngle(bendAxis(side, finger), angle);
}

/** The fingers' curls over time: eased towards each pose's hands, back to open when a hand is gone. */
export class FingerMotion {
  readonly curls: Record<HandSide, number[]> = { left: zeros(), right: zeros() };
  /** Seconds to go most of the way to a new curl. */
  constructor(private readonly ease = 0.06) {}

  update(hands: readonly HandPose[] | undefined, aspect: number, deltaSeconds: number): void {
    const k = deltaSeconds > 0 ? 1 - Math.exp(-deltaSeconds / this.ease) : 1;
    for (const side of ["left", "right"] as const) {
      const hand = hands?.find((h) => h.side === side);
      const target = hand ? fingerCurls(hand.landmarks, aspect) : zeros();
      const now = this.curls[side];
      for (let i = 0; i < now.length; i++) now[i] += (target[i] - now[i]) * k;
    }
  }

  /** Puts the curls on the model's finger bones (a model without them: mitten hands, nothing to do). */
  apply(model: AvatarModel): void {
    if (!model.fingerNode) return;
    const t = model.turned ? -1 : 1;
    for (const side of ["left", "right"] as const) {
      FINGERS.forEach((finger, f) => {
        segmentBones(side, finger).forEach((bone, s) => {
          const node = model.fingerNode!(bone);
          if (!node) return;
          const q = curlRotation(side, finger, this.curls[side][f * 3 + s]);
          node.quaternion.set(t * q.x, q.y, t * q.z, q.w);
        });
      });
    }
  }
}

function zeros(): number[] {
  return new Array<number>(15).fill(0);
}
