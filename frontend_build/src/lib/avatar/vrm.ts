/**
 * The person's own `.vrm`, read in the browser (never uploaded): glTF + three-vrm, both
 * loaded only when a file is opened. The avatar drives the VRM's normalised bones, whose
 * rest rotations are the identity in the T-pose; a VRM 0.x model, which faces −Z, is
 * turned round to face +Z like a VRM 1.0 one.
 */
import * as THREE from "three";
import type { VRM, VRMHumanBoneName } from "@pixiv/three-vrm";
import { AVATAR_BONES, type BoneName } from "./bones";
import type { AvatarModel } from "./model";

/** The humanoid bones VRM may leave out; three-vrm refuses a humanoid without any other. */
const OPTIONAL = new Set<BoneName>([
  "chest",
  "neck",
  "leftShoulder",
  "rightShoulder",
  "leftToes",
  "rightToes",
]);
const REQUIRED: BoneName[] = AVATAR_BONES.filter((bone) => !OPTIONAL.has(bone));

/** A file a person can open: `.vrm` (a binary glTF), kept to a size a browser handles well. */
export const MAX_VRM_BYTES = 200 * 1024 * 1024;

export class VrmLoadError extends Error {}

/** Checks a file before reading it; returns why it is refused, or null. */
export function refuseFile(file: { name: string; size: number }): string | null {
  if (!/\.(vrm|glb)$/i.test(file.name)) return `${file.name} is not a .vrm file`;
  if (file.size > MAX_VRM_BYTES) return `${file.name} is larger than ${MAX_VRM_BYTES / 1024 / 1024} MB`;
  if (file.size < 20) return `${file.name} is empty`;
  return null;
}

/** A binary glTF starts with "glTF", version 2. */
export function isGlb(buffer: ArrayBuffer): boolean {
  if (buffer.byteLength < 12) return false;
  const view = new DataView(buffer);
  return view.getUint32(0, true) === 0x46546c67 && view.getUint32(4, true) === 2;
}

export class VrmAvatar implements AvatarModel {
  readonly kind = "vrm";
  readonly object = new THREE.Group();
  readonly hipsRest: THREE.Vector3;
  readonly scalesWithBody = false;
  readonly turned: boolean;
  /** The humanoid bones the file has, of the ones the avatar drives. */
  readonly bones: BoneName[];

  constructor(
    readonly vrm: VRM,
    readonly name: string,
    /** The VRM spec version the file declares ("0.0" or "1.0"). */
    readonly version: string,
  ) {
    const hips = vrm.humanoid.getNormalizedBoneNode("hips");
    if (!hips) throw new VrmLoadError("the VRM has no hips bone");
    this.hipsRest = hips.position.clone();
    this.bones = AVATAR_BONES.filter((b) => vrm.humanoid.getNormalizedBoneNode(b) !== null);
    this.turned = version === "0.0";
    this.object.add(vrm.scene);
  }

  node(bone: BoneName): THREE.Object3D | null {
    return this.vrm.humanoid.getNormalizedBoneNode(bone);
  }

  fingerNode(bone: string): THREE.Object3D | null {
    return this.vrm.humanoid.getNormalizedBoneNode(bone as VRMHumanBoneName);
  }

  joint(bone: BoneName): THREE.Object3D | null {
    return this.vrm.humanoid.getRawBoneNode(bone);
  }

  update(deltaSeconds: number): void {
    this.vrm.update(deltaSeconds);
  }

  dispose(): void {
    this.vrm.scene.traverse((o) => {
      const mesh = o as THREE.Mesh;
      mesh.geometry?.dispose();
      const materials = Array.isArray(mesh.material) ? mesh.material : mesh.material ? [mesh.material] : [];
      materials.forEach((m) => m.dispose());
    });
  }
}

/** Reads a VRM (0.x or 1.0) from the file's bytes. */
export async function loadVrm(buffer: ArrayBuffer, name: string): Promise<VrmAvatar> {
  if (!isGlb(buffer)) throw new VrmLoadError(`${name} is not a binary glTF (.vrm) file`);
  const [{ GLTFLoader }, { VRMLoaderPlugin, VRMUtils }] = await Promise.all([
    import("three/addons/loaders/GLTFLoader.js"),
    import("@pixiv/three-vrm"),
  ]);
  const loader = new GLTFLoader();
  loader.register((parser) => new VRMLoaderPlugin(parser));
  let gltf;
  try {
    gltf = await loader.parseAsync(buffer, "");
  } catch (err) {
    throw new VrmLoadError(`${name} could not be read: ${(err as Error).message}`);
  }
  const vrm = gltf.userData.vrm as VRM | undefined;
  if (!vrm) throw new VrmLoadError(`${name} is a glTF file without a VRM humanoid`);
  const missing = REQUIRED.filter((b) => !vrm.humanoid.getNormalizedBoneNode(b));
  if (missing.length) throw new VrmLoadError(`${name} lacks humanoid bones: ${missing.join(", ")}`);
  const version = vrm.meta?.metaVersion ?? "1";
  if (version === "0") VRMUtils.rotateVRM0(vrm);
  VRMUtils.removeUnnecessaryVertices(gltf.scene);
  vrm.scene.traverse((o) => (o.frustumCulled = false));
  return new VrmAvatar(vrm, name, version === "0" ? "0.0" : "1.0");
}
