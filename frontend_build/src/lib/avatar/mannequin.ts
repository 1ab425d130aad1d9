/**
 * The built-in avatar: an artist's mannequin built in code, no download. One skinned mesh
 * (rounded segments and joint balls, each skinned to its bone) on a bone hierarchy named
 * with the VRM humanoid names, rest rotations identity, proportions of the solver's
 * reference body: the same retargeting drives it and a VRM.
 */
import * as THREE from "three";
import { mergeGeometries } from "three/addons/utils/BufferGeometryUtils.js";
import {
  AVATAR_BONES,
  BONE_PARENT,
  HIPS_HEIGHT,
  NOSE,
  REST_OFFSETS,
  type BoneName,
  type Vec3,
} from "./bones";
import { FINGERS, segmentBones, type Finger } from "./fingers";
import type { AvatarModel } from "./model";

export interface MannequinColours {
  body: string;
  joint: string;
  left: string;
  right: string;
}

const DEFAULT_COLOURS: MannequinColours = {
  body: "#d8d2c8",
  joint: "#8a8f98",
  left: "#22d3ee",
  right: "#f472b6",
};

/** The bones, parented and placed at rest; `bones[0]` is the hips. */
export function buildBones(): Map<BoneName, THREE.Bone> {
  const bones = new Map<BoneName, THREE.Bone>();
  for (const name of AVATAR_BONES) {
    const bone = new THREE.Bone();
    bone.name = name;
    bone.position.fromArray(REST_OFFSETS[name]);
    const parent = BONE_PARENT[name];
    if (parent) bones.get(parent)!.add(bone);
    bones.set(name, bone);
  }
  bones.get("hips")!.position.set(0, HIPS_HEIGHT, 0);
  return bones;
}

type Piece = { geometry: THREE.BufferGeometry; bone: BoneName; colour: string };

/** Joint positions in the model's rest frame (hips at `HIPS_HEIGHT`). */
function restJoints(): Record<BoneName, THREE.Vector3> {
  const out = {} as Record<BoneName, THREE.Vector3>;
  for (const name of AVATAR_BONES) {
    const parent = BONE_PARENT[name];
    const base = parent ? out[parent] : new THREE.Vector3(0, HIPS_HEIGHT, 0);
    out[name] = base.clone().add(new THREE.Vector3(...REST_OFFSETS[name]));
  }
  return out;
}

function capsule(from: THREE.Vector3, to: THREE.Vector3, radius: number): THREE.BufferGeometry {
  const axis = to.clone().sub(from);
  const length = Math.max(0.001, axis.length() - radius * 0.6);
  const geometry = new THREE.CapsuleGeometry(radius, length, 4, 14);
  geometry.applyQuaternion(
    new THREE.Quaternion().setFromUnitVectors(new THREE.Vector3(0, 1, 0), axis.normalize()),
  );
  geometry.translate(...from.clone().add(to).multiplyScalar(0.5).toArray());
  return geometry;
}

function ellipsoid(centre: THREE.Vector3, radii: Vec3): THREE.BufferGeometry {
  const geometry = new THREE.SphereGeometry(1, 18, 12);
  geometry.scale(...radii);
  geometry.translate(...centre.toArray());
  return geometry;
}

const ball = (centre: THREE.Vector3, r: number) => ellipsoid(centre, [r, r, r]);
const plus = (v: THREE.Vector3, x: number, y: number, z: number) => v.clone().add(new THREE.Vector3(x, y, z));

function pieces(colours: MannequinColours): Piece[] {
  const j = restJoints();
  const { body, joint } = colours;
  const list: Piece[] = [
    { bone: "hips", colour: body, geometry: ellipsoid(plus(j.hips, 0, 0.01, 0), [0.165, 0.1, 0.11]) },
    { bone: "spine", colour: body, geometry: ellipsoid(plus(j.spine, 0, 0.15, 0), [0.135, 0.12, 0.095]) },
    { bone: "chest", colour: body, geometry: ellipsoid(plus(j.chest, 0, 0.13, 0.005), [0.18, 0.17, 0.115]) },
    { bone: "neck", colour: joint, geometry: capsule(j.neck, plus(j.head, 0, 0.02, 0), 0.045) },
    { bone: "head", colour: body, geometry: ellipsoid(plus(j.head, 0, 0.05, 0.01), [0.095, 0.12, 0.105]) },
    // A nose, so that the avatar's facing shows.
    {
      bone: "head",
      colour: joint,
      geometry: ball(plus(j.head, NOSE[0], NOSE[1] + 0.035, NOSE[2] - 0.03), 0.022),
    },
  ];
  for (const side of ["left", "right"] as const) {
    const bone = (name: string) => `${side}${name}` as BoneName;
    const s = side === "left" ? 1 : -1;
    const tip = colours[side];
    const at = (name: string) => j[bone(name)];
    list.push(
      {
        bone: bone("Shoulder"),
        colour: body,
        geometry: capsule(plus(at("Shoulder"), s * 0.04, -0.01, 0), at("UpperArm"), 0.055),
      },
      { bone: bone("UpperArm"), colour: joint, geometry: ball(at("UpperArm"), 0.058) },
      { bone: bone("UpperArm"), colour: body, geometry: capsule(at("UpperArm"), at("LowerArm"), 0.047) },
      { bone: bone("LowerArm"), colour: joint, geometry: ball(at("LowerArm"), 0.042) },
      { bone: bone("LowerArm"), colour: body, geometry: capsule(at("LowerArm"), at("Hand"), 0.039) },
      { bone: bone("Hand"), colour: joint, geometry: ball(at("Hand"), 0.032) },
      {
        bone: bone("Hand"),
        colour: tip,
        geometry: ellipsoid(plus(at("Hand"), s * 0.045, 0, 0), [0.05, 0.02, 0.042]),
      },
      { bone: bone("UpperLeg"), colour: joint, geometry: ball(at("UpperLeg"), 0.075) },
      { bone: bone("UpperLeg"), colour: body, geometry: capsule(at("UpperLeg"), at("LowerLeg"), 0.068) },
      { bone: bone("LowerLeg"), colour: joint, geometry: ball(at("LowerLeg"), 0.056) },
      { bone: bone("LowerLeg"), colour: body, geometry: capsule(at("LowerLeg"), at("Foot"), 0.052) },
      { bone: bone("Foot"), colour: joint, geometry: ball(at("Foot"), 0.044) },
      {
        bone: bone("Foot"),
        colour: body,
        geometry: ellipsoid(plus(at("Foot"), 0, -0.045, 0.055), [0.05, 0.035, 0.1]),
      },
      {
        bone: bone("Toes"),
        colour: tip,
        geometry: ellipsoid(plus(at("Toes"), 0, 0.012, 0.03), [0.046, 0.022, 0.045]),
      },
    );
  }
  return list;
}

/**
 * Each finger of the left hand in the T-pose: its knuckle from the wrist, then the
 * direction and the three segments' lengths (metres). The right hand mirrors X.
 */
const FINGER_LAYOUT: Record<Finger, { base: Vec3; direction: Vec3; lengths: Vec3 }> = {
  Thumb: {
    base: [0.02, -0.005, 0.028],
    direction: [Math.SQRT1_2, 0, Math.SQRT1_2],
    lengths: [0.035, 0.03, 0.025],
  },
  Index: { base: [0.088, 0, 0.03], direction: [1, 0, 0], lengths: [0.04, 0.025, 0.02] },
  Middle: { base: [0.09, 0, 0.01], direction: [1, 0, 0], lengths: [0.045, 0.028, 0.021] },
  Ring: { base: [0.087, 0, -0.01], direction: [1, 0, 0], lengths: [0.042, 0.026, 0.02] },
  Little: { base: [0.08, 0, -0.03], direction: [1, 0, 0], lengths: [0.032, 0.02, 0.018] },
};

/**
 * The fingers: three nodes per finger chained under the hand bone (rest rotation
 * identity), each carrying a rigid segment, so the finger curls drive them like a VRM's.
 * Not in the skinned mesh's skeleton: they move with their node.
 */
function buildFingers(
  hands: Record<"left" | "right", THREE.Bone>,
  material: THREE.Material,
): Map<string, THREE.Object3D> {
  const out = new Map<string, THREE.Object3D>();
  for (const side of ["left", "right"] as const) {
    const s = side === "left" ? 1 : -1;
    for (const finger of FINGERS) {
      const { base, direction, lengths } = FINGER_LAYOUT[finger];
      const dir = new THREE.Vector3(s * direction[0], direction[1], direction[2]);
      let parent: THREE.Object3D = hands[side];
      let offset = new THREE.Vector3(s * base[0], base[1], base[2]);
      segmentBones(side, finger).forEach((name, i) => {
        const node = new THREE.Bone();
        node.name = name;
        node.position.copy(offset);
        const to = dir.clone().multiplyScalar(lengths[i]);
        const segment = new THREE.Mesh(
          capsule(new THREE.Vector3(), to, finger === "Thumb" ? 0.011 : 0.009),
          material,
        );
        segment.name = `${name}Segment`;
        segment.frustumCulled = false;
        node.add(segment);
        parent.add(node);
        out.set(name, node);
        parent = node;
        offset = to;
      });
    }
  }
  return out;
}

/** One geometry, every vertex skinned to its piece's bone (weight 1), coloured per piece. */
export function mannequinGeometry(colours: MannequinColours = DEFAULT_COLOURS): THREE.BufferGeometry {
  const parts = pieces(colours).map(({ geometry, bone, colour }) => {
    const part = geometry;
    part.deleteAttribute("uv");
    const n = part.getAttribute("position").count;
    const index = AVATAR_BONES.indexOf(bone);
    const c = new THREE.Color(colour);
    const skinIndex = new Uint16Array(n * 4);
    const skinWeight = new Float32Array(n * 4);
    const colour3 = new Float32Array(n * 3);
    for (let v = 0; v < n; v++) {
      skinIndex[v * 4] = index;
      skinWeight[v * 4] = 1;
      c.toArray(colour3, v * 3);
    }
    part.setAttribute("skinIndex", new THREE.Uint16BufferAttribute(skinIndex, 4));
    part.setAttribute("skinWeight", new THREE.Float32BufferAttribute(skinWeight, 4));
    part.setAttribute("color", new THREE.Float32BufferAttribute(colour3, 3));
    return part;
  });
  const merged = mergeGeometries(parts);
  if (!merged) throw new Error("could not build the mannequin's geometry");
  return merged;
}

export class Mannequin implements AvatarModel {
  readonly kind = "mannequin";
  readonly name = "Mannequin";
  readonly object = new THREE.Group();
  readonly bones: Map<BoneName, THREE.Bone>;
  readonly mesh: THREE.SkinnedMesh;
  readonly hipsRest: THREE.Vector3;
  readonly scalesWithBody = true;
  readonly turned = false;
  /** The finger nodes by VRM 1.0 name (`leftIndexProximal`, …). */
  readonly fingers: Map<string, THREE.Object3D>;
  private fingerMaterial: THREE.MeshStandardMaterial;

  constructor(colours: MannequinColours = DEFAULT_COLOURS) {
    this.bones = buildBones();
    const hips = this.bones.get("hips")!;
    this.hipsRest = hips.position.clone();
    const material = new THREE.MeshStandardMaterial({ vertexColors: true, roughness: 0.55, metalness: 0.05 });
    this.mesh = new THREE.SkinnedMesh(mannequinGeometry(colours), material);
    this.mesh.name = "mannequin";
    // Skinned vertices move beyond the rest pose's bounds.
    this.mesh.frustumCulled = false;
    this.mesh.add(hips);
    this.mesh.bind(new THREE.Skeleton(AVATAR_BONES.map((name) => this.bones.get(name)!)));
    this.object.add(this.mesh);
    this.fingerMaterial = new THREE.MeshStandardMaterial({
      color: colours.joint,
      roughness: 0.55,
      metalness: 0.05,
    });
    this.fingers = buildFingers(
      { left: this.bones.get("leftHand")!, right: this.bones.get("rightHand")! },
      this.fingerMaterial,
    );
  }

  fingerNode(bone: string): THREE.Object3D | null {
    return this.fingers.get(bone) ?? null;
  }

  node(bone: BoneName): THREE.Object3D | null {
    return this.bones.get(bone) ?? null;
  }

  joint(bone: BoneName): THREE.Object3D | null {
    return this.bones.get(bone) ?? null;
  }

  update(): void {}

  dispose(): void {
    this.mesh.geometry.dispose();
    (this.mesh.material as THREE.Material).dispose();
    this.mesh.skeleton.dispose();
    this.fingers.forEach((node) =>
      node.children.forEach((c) =>
        ((c as THREE.Mesh).geometry as THREE.BufferGeometry | undefined)?.dispose(),
      ),
    );
    this.fingerMaterial.dispose();
  }
}
