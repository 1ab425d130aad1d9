/**
 * Puts a `MotionState` on an `AvatarModel`: each wire rotation on the bone of that name
 * (through `boneMapping`), the hips at their rest position plus the root, and the
 * mannequin at the person's size.
 */
import * as THREE from "three";
import { AVATAR_BONES, type BoneName } from "./bones";
import type { AvatarModel } from "./model";
import type { MotionState } from "./motion";

export function applyMotion(
  model: AvatarModel,
  state: MotionState,
  mapping: readonly (BoneName | null)[],
): void {
  const r = state.rotations;
  const t = model.turned ? -1 : 1;
  mapping.forEach((name, b) => {
    const node = name && model.node(name);
    if (node) node.quaternion.set(t * r[b * 4], r[b * 4 + 1], t * r[b * 4 + 2], r[b * 4 + 3]);
  });
  const scale = model.scalesWithBody && state.scale > 0.2 && state.scale < 5 ? state.scale : 1;
  model.object.scale.setScalar(scale);
  const hips = model.node("hips");
  if (hips) {
    const [x, y, z] = state.root;
    hips.position.copy(model.hipsRest).add(new THREE.Vector3(t * x, y, t * z).divideScalar(scale));
  }
}

/**
 * Joint positions in the body's frame (metres, Y up, facing +Z, hips' joint at the origin),
 * as rendered: what the browser test compares with the `world` landmarks. `frame` is the
 * object the model is placed in (before the view's mirror).
 */
export function jointPositions(
  model: AvatarModel,
  frame: THREE.Object3D,
): Partial<Record<BoneName, [number, number, number]>> {
  frame.updateWorldMatrix(true, true);
  const hips = model.joint("hips");
  if (!hips) return {};
  const origin = frame.worldToLocal(hips.getWorldPosition(new THREE.Vector3()));
  const out: Partial<Record<BoneName, [number, number, number]>> = {};
  for (const name of AVATAR_BONES) {
    const node = model.joint(name);
    if (!node) continue;
    const p = frame.worldToLocal(node.getWorldPosition(new THREE.Vector3())).sub(origin);
    out[name] = [p.x, p.y, p.z];
  }
  return out;
}
