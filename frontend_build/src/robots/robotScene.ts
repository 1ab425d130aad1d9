/**
 * The robot in 3D: a simple body mesh per model (a Go2's box on four legs, a G1's torso,
 * head and legs) placed on a ground grid from its telemetry `pose` (the odometry frame:
 * x forward, y left, metres; yaw counter-clockwise, radians).
 *
 * The odometry frame's (x, y, up) is three.js's (x, up, -y): a right-handed turn about
 * "up" by `yaw` is then three.js's rotation about y by the same angle. The body is built
 * facing +x, so at yaw 0 it faces the odometry's forward.
 */
import * as THREE from "three";
import type { BodyPose } from "../lib/generated/protocol";

export type RobotModel = "go2" | "g1";

/** Where a pose puts the body in three.js coordinates: position and turn about y. */
export function placement(pose: BodyPose): { position: [number, number, number]; rotationY: number } {
  return { position: [pose.x, 0, -pose.y], rotationY: pose.yaw };
}

function box(w: number, h: number, d: number, material: THREE.Material, at: [number, number, number]) {
  const mesh = new THREE.Mesh(new THREE.BoxGeometry(w, h, d), material);
  mesh.position.set(...at);
  return mesh;
}

/** The body of a model, standing on y = 0 and facing +x; its front is named "front". */
export function robotBody(model: RobotModel, colour = "#f59e0b"): THREE.Group {
  const body = new THREE.MeshStandardMaterial({ color: colour });
  const dark = new THREE.MeshStandardMaterial({ color: "#1f2937" });
  const group = new THREE.Group();
  group.name = model;
  let front: THREE.Mesh;
  if (model === "go2") {
    // About a Go2's size: 0.70 m long, 0.31 m wide, standing 0.40 m tall.
    group.add(box(0.7, 0.13, 0.31, body, [0, 0.33, 0]));
    for (const x of [0.25, -0.25])
      for (const z of [0.13, -0.13]) group.add(box(0.05, 0.27, 0.05, dark, [x, 0.135, z]));
    front = box(0.1, 0.1, 0.2, dark, [0.38, 0.36, 0]);
  } else {
    // About a G1's size: 1.32 m tall.
    for (const z of [0.1, -0.1]) group.add(box(0.09, 0.7, 0.09, dark, [0, 0.35, z]));
    group.add(box(0.2, 0.45, 0.36, body, [0, 0.93, 0]));
    for (const z of [0.23, -0.23]) group.add(box(0.07, 0.45, 0.07, dark, [0, 0.92, z]));
    group.add(new THREE.Mesh(new THREE.SphereGeometry(0.1, 16, 12), body).translateY(1.24));
    front = box(0.04, 0.05, 0.16, dark, [0.1, 1.25, 0]); // the face
  }
  front.name = "front";
  group.add(front);
  return group;
}

/** The scene graph (no renderer, so it can be tested): lights, a grid, the robot. */
export class RobotStage {
  readonly scene = new THREE.Scene();
  robot: THREE.Group | null = null;
  private model: RobotModel | null = null;

  constructor() {
    this.scene.add(new THREE.HemisphereLight("#ffffff", "#334155", 2.2));
    const sun = new THREE.DirectionalLight("#ffffff", 1.5);
    sun.position.set(2, 4, 3);
    this.scene.add(sun, new THREE.GridHelper(10, 20, "#475569", "#334155"));
  }

  /** Show `model` at `pose` (null: where it was last; at the origin before any). */
  update(model: RobotModel, pose: BodyPose | null | undefined): THREE.Group {
    if (this.robot === null || this.model !== model) {
      if (this.robot) {
        this.scene.remove(this.robot);
        dispose(this.robot);
      }
      this.robot = robotBody(model);
      this.model = model;
      this.scene.add(this.robot);
    }
    if (pose) {
      const { position, rotationY } = placement(pose);
      this.robot.position.set(...position);
      this.robot.rotation.set(0, rotationY, 0);
      this.robot.updateMatrixWorld(true);
    }
    return this.robot;
  }

  dispose(): void {
    if (this.robot) dispose(this.robot);
  }
}

function dispose(group: THREE.Object3D): void {
  group.traverse((part) => {
    if (part instanceof THREE.Mesh) {
      part.geometry.dispose();
      (part.material as THREE.Material).dispose();
    }
  });
}
