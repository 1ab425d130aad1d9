import * as THREE from "three";
import { describe, expect, it } from "vitest";
import {
  AVATAR_BONES,
  BONE_PARENT,
  HIPS_HEIGHT,
  REST_OFFSETS,
  boneMapping,
} from "../../../src/lib/avatar/bones";
import { Mannequin, buildBones, mannequinGeometry } from "../../../src/lib/avatar/mannequin";
import { restRotations, type MotionState } from "../../../src/lib/avatar/motion";
import { applyMotion, jointPositions } from "../../../src/lib/avatar/retarget";
import { loadVrm } from "../../../src/lib/avatar/vrm";
import { buildVrm } from "../../vrmFixture";

/** A repeatable pose with every bone turned about all three axes. */
function randomPose(seed = 7): MotionState {
  let s = seed;
  const rand = () => ((s = (s * 16807) % 2147483647) / 2147483647) * 2 - 1;
  const rotations = restRotations(AVATAR_BONES.length);
  for (let b = 0; b < AVATAR_BONES.length; b++) {
    const q = new THREE.Quaternion().setFromEuler(new THREE.Euler(rand() * 0.8, rand() * 0.8, rand() * 0.8));
    rotations.set([q.x, q.y, q.z, q.w], b * 4);
  }
  return { rotations, root: [0.05, -0.02, 0.1], scale: 1, calibrated: false };
}

describe("the mannequin", () => {
  it("has the 21 VRM humanoid bones in the solver's hierarchy, rest rotations identity", () => {
    const bones = buildBones();
    expect([...bones.keys()]).toEqual([...AVATAR_BONES]);
    for (const name of AVATAR_BONES) {
      const bone = bones.get(name)!;
      expect(bone.name).toBe(name);
      expect(bone.quaternion.equals(new THREE.Quaternion())).toBe(true);
      const parent = BONE_PARENT[name];
      expect(bone.parent?.name ?? null).toBe(parent);
      if (parent) expect(bone.position.toArray()).toEqual(REST_OFFSETS[name]);
    }
    expect(bones.get("hips")!.position.y).toBeCloseTo(HIPS_HEIGHT);
  });

  it("is one skinned mesh bound to those bones, every vertex on a valid bone, each bone with vertices", () => {
    const m = new Mannequin();
    expect(m.mesh.isSkinnedMesh).toBe(true);
    expect(m.mesh.skeleton.bones.map((b) => b.name)).toEqual([...AVATAR_BONES]);
    const geometry = mannequinGeometry();
    const index = geometry.getAttribute("skinIndex");
    const weight = geometry.getAttribute("skinWeight");
    expect(index.count).toBe(geometry.getAttribute("position").count);
    const used = new Set<number>();
    let badIndex = 0;
    let badWeight = 0;
    for (let v = 0; v < index.count; v++) {
      if (index.getX(v) >= AVATAR_BONES.length) badIndex++;
      if (Math.abs(weight.getX(v) + weight.getY(v) + weight.getZ(v) + weight.getW(v) - 1) > 1e-6) badWeight++;
      used.add(index.getX(v));
    }
    expect([badIndex, badWeight]).toEqual([0, 0]);
    expect(used.size).toBe(AVATAR_BONES.length);
    // Standing on the floor, about 1.7 m tall, facing +Z (the nose is in front of the head).
    geometry.computeBoundingBox();
    const box = geometry.boundingBox!;
    expect(box.min.y).toBeGreaterThan(-0.01);
    expect(box.min.y).toBeLessThan(0.02);
    expect(box.max.y).toBeGreaterThan(1.6);
    expect(box.max.y).toBeLessThan(1.85);
  });

  it("puts its joints where forward kinematics of the rotations does, at the pose's scale", () => {
    const m = new Mannequin();
    const frame = new THREE.Group();
    frame.add(m.object);
    const pose = { ...randomPose(), scale: 1.1 };
    applyMotion(m, pose, boneMapping(null));
    const joints = jointPositions(m, frame);
    // Forward kinematics by hand: world rotation of the parent applied to the rest offset.
    const world = new Map<string, { q: THREE.Quaternion; p: THREE.Vector3 }>();
    for (const [b, name] of AVATAR_BONES.entries()) {
      const local = new THREE.Quaternion().fromArray(pose.rotations, b * 4);
      const parent = BONE_PARENT[name];
      if (!parent) {
        world.set(name, { q: local, p: new THREE.Vector3() });
        continue;
      }
      const up = world.get(parent)!;
      const offset = new THREE.Vector3(...REST_OFFSETS[name]).multiplyScalar(1.1).applyQuaternion(up.q);
      world.set(name, { q: up.q.clone().multiply(local), p: up.p.clone().add(offset) });
    }
    for (const name of AVATAR_BONES) {
      const expected = world.get(name)!.p.toArray();
      joints[name]!.forEach((v, c) => expect(v).toBeCloseTo(expected[c], 6));
    }
  });

  it("moves like a VRM 1.0 and a VRM 0.x of the same proportions under the same rotations", async () => {
    const pose = randomPose(11);
    const place = (model: { object: THREE.Object3D }) => {
      const frame = new THREE.Group();
      frame.add(model.object);
      return frame;
    };
    const mannequin = new Mannequin();
    const frames = [place(mannequin)];
    const models = [
      mannequin,
      await loadVrm(buildVrm(), "a.vrm"),
      await loadVrm(buildVrm({ version: "0.0" }), "b.vrm"),
    ];
    frames.push(place(models[1]), place(models[2]));
    const positions = models.map((model, i) => {
      applyMotion(model, pose, boneMapping(null));
      model.update(1 / 60);
      return jointPositions(model, frames[i]);
    });
    for (const name of AVATAR_BONES) {
      for (const other of positions.slice(1)) {
        other[name]!.forEach((v, c) => expect(v).toBeCloseTo(positions[0][name]![c], 5));
      }
    }
  });

  it("keeps the root: the hips move by the skeleton's root", () => {
    const m = new Mannequin();
    applyMotion(m, { ...randomPose(), scale: 1 }, boneMapping(null));
    expect(m.node("hips")!.position.toArray()).toEqual([0.05, HIPS_HEIGHT - 0.02, 0.1]);
  });
});
