import * as THREE from "three";
import { describe, expect, it } from "vitest";
import { AVATAR_BONES, boneMapping, type BoneName } from "../../../src/lib/avatar/bones";
import { restRotations, type MotionState } from "../../../src/lib/avatar/motion";
import { applyMotion, jointPositions } from "../../../src/lib/avatar/retarget";
import { isGlb, loadVrm, refuseFile, VrmLoadError } from "../../../src/lib/avatar/vrm";
import { buildVrm, glb } from "../../vrmFixture";

function armDown(): MotionState {
  const rotations = restRotations(AVATAR_BONES.length);
  const b = AVATAR_BONES.indexOf("leftUpperArm");
  // −90° about Z: the left arm (along +X at rest) points down.
  rotations.set([0, 0, -Math.SQRT1_2, Math.SQRT1_2], b * 4);
  return { rotations, root: [0, 0, 0], scale: 1, calibrated: false };
}

const near = (a: number[] | undefined, b: number[], eps = 1e-4) => {
  expect(a).toBeDefined();
  a!.forEach((v, i) => expect(v).toBeCloseTo(b[i], -Math.log10(eps)));
};

describe("loadVrm", () => {
  it("reads a VRM 1.0 file and drives its bones through the normalised humanoid", async () => {
    const avatar = await loadVrm(buildVrm(), "me.vrm");
    expect(avatar.version).toBe("1.0");
    expect(avatar.name).toBe("me.vrm");
    expect(avatar.bones).toEqual([...AVATAR_BONES]);
    const frame = new THREE.Group();
    frame.add(avatar.object);
    const rest = jointPositions(avatar, frame);
    near(rest.leftHand, [0.165 + 0.26 + 0.24, 0.5, 0]);
    near(rest.rightLowerArm, [-(0.165 + 0.26), 0.5, 0]);
    applyMotion(avatar, armDown(), boneMapping(null));
    avatar.update(1 / 60);
    const posed = jointPositions(avatar, frame);
    near(posed.leftLowerArm, [0.165, 0.5 - 0.26, 0]);
    near(posed.leftHand, [0.165, 0.5 - 0.5, 0]);
    // The other arm did not move.
    near(posed.rightHand, rest.rightHand!);
  });

  it("turns a VRM 0.x model (facing −Z) round, and the same rotations pose it the same way", async () => {
    const avatar = await loadVrm(buildVrm({ version: "0.0" }), "old.vrm");
    expect(avatar.version).toBe("0.0");
    const frame = new THREE.Group();
    frame.add(avatar.object);
    const rest = jointPositions(avatar, frame);
    // Its left hand is on +X and its toes point +Z once turned round.
    expect(rest.leftHand![0]).toBeGreaterThan(0.6);
    expect(rest.leftToes![2]).toBeGreaterThan(0.1);
    applyMotion(avatar, armDown(), boneMapping(null));
    avatar.update(1 / 60);
    near(jointPositions(avatar, frame).leftHand, [0.165, 0, 0]);
  });

  it("keeps its own size: the pose's scale does not resize a VRM", async () => {
    const avatar = await loadVrm(buildVrm({ size: 0.8 }), "small.vrm");
    applyMotion(avatar, { ...armDown(), scale: 1.3 }, boneMapping(null));
    expect(avatar.object.scale.x).toBe(1);
  });

  it("refuses a file that is not a binary glTF, a glTF without VRM, and a humanoid without required bones", async () => {
    await expect(loadVrm(new TextEncoder().encode("not a model at all").buffer, "x.vrm")).rejects.toThrow(
      VrmLoadError,
    );
    const plain = glb({ asset: { version: "2.0" }, scenes: [{ nodes: [] }], scene: 0 }, new Uint8Array(0));
    await expect(loadVrm(plain, "plain.glb")).rejects.toThrow(/without a VRM humanoid/);
    await expect(loadVrm(buildVrm({ without: ["leftLowerArm"] }), "broken.vrm")).rejects.toThrow();
  });

  it("takes a VRM without the optional bones (chest, shoulders, toes)", async () => {
    const optional: BoneName[] = ["chest", "leftShoulder", "rightShoulder", "leftToes", "rightToes", "neck"];
    const avatar = await loadVrm(buildVrm({ without: optional }), "lean.vrm");
    expect(avatar.bones.length).toBe(AVATAR_BONES.length - optional.length);
    for (const b of optional) expect(avatar.node(b)).toBeNull();
    applyMotion(avatar, armDown(), boneMapping(null));
  });
});

describe("file checks", () => {
  it("accepts .vrm and .glb of a sane size only", () => {
    expect(refuseFile({ name: "me.vrm", size: 1e6 })).toBeNull();
    expect(refuseFile({ name: "ME.GLB", size: 1e6 })).toBeNull();
    expect(refuseFile({ name: "me.fbx", size: 1e6 })).toMatch(/not a \.vrm/);
    expect(refuseFile({ name: "me.vrm", size: 0 })).toMatch(/empty/);
    expect(refuseFile({ name: "me.vrm", size: 1e9 })).toMatch(/larger/);
  });

  it("recognises the glTF binary header", () => {
    expect(isGlb(buildVrm())).toBe(true);
    expect(isGlb(new ArrayBuffer(8))).toBe(false);
    expect(isGlb(new TextEncoder().encode("glTF\u0001\u0000\u0000\u0000....").buffer)).toBe(false);
  });
});
