/**
 * The avatar's humanoid: the 21 VRM humanoid bones the server's solver drives
 * (`backend/posestudio/kinematics/skeleton.py`), their hierarchy and the reference body's
 * rest offsets. Frame: right-handed, Y up, metres, facing +Z, the left hand along +X (the
 * VRM 1.0 T-pose, where every rest rotation is the identity).
 */

import { BONE_NAMES, BONE_PARENT, type BoneName } from "../generated/constants";

/** The bones, in the order of a pose's `skeleton.rotations` (generated from the solver's). */
export const AVATAR_BONES = BONE_NAMES;
export { BONE_PARENT, type BoneName };

export type Vec3 = [number, number, number];

// The solver's reference body (an adult of about 1.70 m), so that the mannequin scaled by
// the pose's `scale` puts its joints where the solver's forward kinematics does.
const TORSO = 0.5;
const SPINE_FRACTION = 0.45;
const NECK = 0.2;
const CLAVICLE = 0.165;
const UPPER_ARM = 0.26;
const LOWER_ARM = 0.24;
/** Wrist to the index–pinky midpoint. */
export const HAND_LENGTH = 0.08;
const HIP = 0.11;
const UPPER_LEG = 0.42;
const LOWER_LEG = 0.4;
const TOES: Vec3 = [0, -0.07, 0.15];
/** Head joint (between the ears) to the nose. */
export const NOSE: Vec3 = [0, -0.03, 0.12];

/** Each bone's rest offset from its parent's joint, in the parent's frame (metres). */
export const REST_OFFSETS: Record<BoneName, Vec3> = {
  hips: [0, 0, 0],
  spine: [0, 0, 0],
  chest: [0, TORSO * SPINE_FRACTION, 0],
  neck: [0, TORSO * (1 - SPINE_FRACTION), 0],
  head: [0, NECK, 0],
  leftShoulder: [0, TORSO * (1 - SPINE_FRACTION), 0],
  leftUpperArm: [CLAVICLE, 0, 0],
  leftLowerArm: [UPPER_ARM, 0, 0],
  leftHand: [LOWER_ARM, 0, 0],
  rightShoulder: [0, TORSO * (1 - SPINE_FRACTION), 0],
  rightUpperArm: [-CLAVICLE, 0, 0],
  rightLowerArm: [-UPPER_ARM, 0, 0],
  rightHand: [-LOWER_ARM, 0, 0],
  leftUpperLeg: [HIP, 0, 0],
  leftLowerLeg: [0, -UPPER_LEG, 0],
  leftFoot: [0, -LOWER_LEG, 0],
  leftToes: TOES,
  rightUpperLeg: [-HIP, 0, 0],
  rightLowerLeg: [0, -UPPER_LEG, 0],
  rightFoot: [0, -LOWER_LEG, 0],
  rightToes: TOES,
};

/** Height of the hips above the soles in the rest pose (the ankle sits this high above the floor). */
export const ANKLE_HEIGHT = 0.08;
export const HIPS_HEIGHT = UPPER_LEG + LOWER_LEG + ANKLE_HEIGHT;

/** The BlazePose landmark each bone's joint sits at, for comparing the avatar with the landmarks. */
export const JOINT_LANDMARKS: Partial<Record<BoneName, number | [number, number]>> = {
  hips: [23, 24],
  neck: [11, 12],
  head: [7, 8],
  leftUpperArm: 11,
  leftLowerArm: 13,
  leftHand: 15,
  rightUpperArm: 12,
  rightLowerArm: 14,
  rightHand: 16,
  leftUpperLeg: 23,
  leftLowerLeg: 25,
  leftFoot: 27,
  rightUpperLeg: 24,
  rightLowerLeg: 26,
  rightFoot: 28,
};

/**
 * Where each wire rotation goes: for each index of the stream's `bones` (sent once in the
 * start acknowledgement), the avatar's bone of that name, or null for a name it does not
 * know (a newer server may send more bones). Bones the wire does not name keep their rest.
 */
export function boneMapping(wireBones: readonly string[] | null | undefined): (BoneName | null)[] {
  const known = new Set<string>(AVATAR_BONES);
  const names = wireBones ?? AVATAR_BONES;
  return names.map((name) => (known.has(name) ? (name as BoneName) : null));
}
