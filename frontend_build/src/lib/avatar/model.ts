/**
 * What the avatar view drives: a humanoid with VRM bone names whose bones' rest rotations
 * are the identity in the VRM 1.0 T-pose (the built-in mannequin's own bones, or a VRM's
 * normalised bones), so the server's local rotations apply to it as they are.
 */
import type * as THREE from "three";
import type { BoneName } from "./bones";

export interface AvatarModel {
  readonly kind: "mannequin" | "vrm";
  /** What the tile shows: "Mannequin" or the file's name. */
  readonly name: string;
  /** Added to the scene; its origin is on the floor between the feet. */
  readonly object: THREE.Object3D;
  /** The node whose local rotation is the bone's rotation (identity at rest), or null. */
  node(bone: BoneName): THREE.Object3D | null;
  /**
   * The node of a VRM 1.0 finger bone (`leftIndexProximal`, …; identity at rest), or null.
   * Absent on a model with mitten hands (the built-in mannequin).
   */
  fingerNode?(bone: string): THREE.Object3D | null;
  /** The node at the bone's joint in the rendered model (for reading world positions). */
  joint(bone: BoneName): THREE.Object3D | null;
  /** The hips node's rest position in its parent. */
  readonly hipsRest: THREE.Vector3;
  /** Whether the model takes the person's size (`skeleton.scale`): the mannequin does, a VRM keeps its own. */
  readonly scalesWithBody: boolean;
  /**
   * The model's bones live in a frame facing −Z (VRM 0.x, turned round for display): the
   * rotations (and the root) are turned round too, (x, y, z, w) → (−x, y, −z, w).
   */
  readonly turned: boolean;
  /** After the rotations are set, once per frame (a VRM copies normalised to raw bones, springs...). */
  update(deltaSeconds: number): void;
  dispose(): void;
}
