import * as THREE from "three";
import { describe, expect, it } from "vitest";
import {
  bendAngle,
  CURL_LIMITS,
  curlRotation,
  FINGER_BONES,
  FINGERS,
  FingerMotion,
  fingerCurls,
  segmentBones,
} from "../../../src/lib/avatar/fingers";
import { Mannequin } from "../../../src/lib/avatar/mannequin";
import { loadVrm } from "../../../src/lib/avatar/vrm";
import type { HandPose } from "../../../src/lib/generated/protocol";
import { buildVrm } from "../../vrmFixture";

type L = HandPose["landmarks"];

/** A flat hand in the image plane: knuckles across, every finger straight on from its knuckle. */
function flatHand(): L {
  const out: L = [[0.5, 0.8, 0, 1]];
  // Thumb: out to the side, straight.
  for (let i = 1; i <= 4; i++) out.push([0.5 - 0.03 * i, 0.8 - 0.03 * i, 0, 1]);
  for (let f = 0; f < 4; f++) {
    const dx = (f - 1.5) * 0.02;
    // Knuckle on the line from the wrist, then on along the same line.
    for (let j = 1; j <= 4; j++) out.push([0.5 + dx * j, 0.8 - 0.1 * j, 0, 1]);
  }
  return out;
}

/** A fist: each finger turns a right angle at every joint (up, into the image, down, out). */
function fist(): L {
  const out: L = [[0.5, 0.8, 0, 1]];
  for (let i = 1; i <= 4; i++) out.push([0.5 - 0.03 * i, 0.8 - 0.03 * i, 0.02 * (i - 1), 1]);
  for (let f = 0; f < 4; f++) {
    const x = 0.47 + 0.02 * f;
    out.push([x, 0.7, 0, 1], [x, 0.7, 0.04, 1], [x, 0.74, 0.04, 1], [x, 0.74, 0.01, 1]);
  }
  return out;
}

describe("fingerCurls", () => {
  it("gives about zero for a flat hand", () => {
    const curls = fingerCurls(flatHand());
    expect(curls).toHaveLength(15);
    for (const c of curls) expect(Math.abs(c)).toBeLessThan(0.02);
  });

  it("gives large curls for a fist, within each joint's limit", () => {
    const curls = fingerCurls(fist());
    FINGERS.forEach((finger, f) => {
      if (finger === "Thumb") return;
      for (let s = 0; s < 3; s++) {
        expect(curls[f * 3 + s]).toBeGreaterThan(1.2);
        expect(curls[f * 3 + s]).toBeLessThanOrEqual(CURL_LIMITS[finger][s]);
      }
    });
  });

  it("is bounded and finite on garbage: NaN, zeros, collapsed and missing landmarks", () => {
    const nan: L = flatHand().map(() => [NaN, NaN, NaN, NaN]);
    const zeros: L = flatHand().map(() => [0, 0, 0, 0]);
    const infinite: L = flatHand().map(([x], i) => [i % 2 ? Infinity : x, -Infinity, 0, 1]);
    const short: L = flatHand().slice(0, 7);
    const folded: L = flatHand().map(([x, y], i) => (i % 2 ? [x, y, 0, 1] : [0.5, 0.8, 0, 1]));
    for (const hand of [nan, zeros, infinite, short, folded, []]) {
      const curls = fingerCurls(hand, NaN);
      expect(curls).toHaveLength(15);
      FINGERS.forEach((finger, f) => {
        for (let s = 0; s < 3; s++) {
          const c = curls[f * 3 + s];
          expect(Number.isFinite(c)).toBe(true);
          expect(c).toBeGreaterThanOrEqual(0);
          expect(c).toBeLessThanOrEqual(CURL_LIMITS[finger][s]);
        }
      });
    }
    expect(fingerCurls(zeros)).toEqual(new Array(15).fill(0));
  });

  it("measures on the image's true shape: y is scaled by height / width", () => {
    const hand = flatHand();
    // Index: wrist → knuckle straight up, then one step right and one up in pixels of a
    // picture half as tall as it is wide (height / width = 0.5): a 45° bend there.
    hand[5] = [0.5, 0.5, 0, 1];
    hand[6] = [0.6, 0.3, 0, 1];
    hand[7] = [0.7, 0.1, 0, 1];
    hand[8] = [0.8, -0.1, 0, 1];
    expect(fingerCurls(hand, 0.5)[3]).toBeCloseTo(Math.PI / 4, 5);
    expect(fingerCurls(hand, 1)[3]).toBeCloseTo(Math.atan(0.5), 5);
    expect(fingerCurls(hand, 0.5)[4]).toBeCloseTo(0, 5);
    expect(bendAngle([0, 0, 0], [1, 0, 0], [1, 0, 0])).toBeNull();
  });
});

describe("curlRotation", () => {
  it("bends a left finger (along +X) and a right one (along −X) down towards the palm", () => {
    const left = new THREE.Vector3(1, 0, 0).applyQuaternion(curlRotation("left", "Index", Math.PI / 2));
    expect(left.y).toBeCloseTo(-1);
    const right = new THREE.Vector3(-1, 0, 0).applyQuaternion(curlRotation("right", "Index", Math.PI / 2));
    expect(right.y).toBeCloseTo(-1);
    const thumb = new THREE.Vector3(1, 0, 0).applyQuaternion(curlRotation("left", "Thumb", 1));
    expect(thumb.y).toBeLessThan(0);
    expect(thumb.z).toBeLessThan(0);
    expect(curlRotation("left", "Ring", NaN).equals(new THREE.Quaternion())).toBe(true);
  });
});

describe("FingerMotion", () => {
  it("names the 30 VRM 1.0 finger bones", () => {
    expect(FINGER_BONES).toHaveLength(30);
    expect(segmentBones("left", "Thumb")).toEqual([
      "leftThumbMetacarpal",
      "leftThumbProximal",
      "leftThumbDistal",
    ]);
    expect(FINGER_BONES).toContain("rightLittleIntermediate");
  });

  it("eases towards the hand's curls and opens again when the hand is gone", () => {
    const motion = new FingerMotion(0.06);
    const target = fingerCurls(fist());
    motion.update([{ side: "left", score: 0.9, landmarks: fist() }], 1, 1 / 60);
    const first = motion.curls.left[4];
    expect(first).toBeGreaterThan(0);
    expect(first).toBeLessThan(target[4]);
    for (let i = 0; i < 60; i++) motion.update([{ side: "left", score: 0.9, landmarks: fist() }], 1, 1 / 60);
    expect(motion.curls.left[4]).toBeCloseTo(target[4], 3);
    expect(motion.curls.right).toEqual(new Array(15).fill(0));
    for (let i = 0; i < 60; i++) motion.update([], 1, 1 / 60);
    expect(motion.curls.left[4]).toBeCloseTo(0, 3);
  });

  it("curls a loaded VRM's and the mannequin's fingers down towards the palm", async () => {
    const avatar = await loadVrm(buildVrm({ fingers: true }), "hands.vrm");
    const motion = new FingerMotion();
    motion.update([{ side: "left", score: 0.9, landmarks: fist() }], 1, 0);
    motion.apply(avatar);
    avatar.update(1 / 60);
    avatar.object.updateWorldMatrix(true, true);
    const at = (bone: string) =>
      avatar.vrm.humanoid.getRawBoneNode(bone as never)!.getWorldPosition(new THREE.Vector3());
    const hand = avatar.vrm.humanoid.getRawBoneNode("leftHand")!.getWorldPosition(new THREE.Vector3());
    expect(at("leftIndexDistal").y).toBeLessThan(hand.y - 0.02);
    // The right hand saw no hand: straight on.
    const right = at("rightIndexDistal");
    const rightHand = avatar.vrm.humanoid.getRawBoneNode("rightHand")!.getWorldPosition(new THREE.Vector3());
    expect(right.y).toBeCloseTo(rightHand.y, 5);

    const mannequin = new Mannequin();
    expect(FINGER_BONES.every((b) => mannequin.fingerNode(b) !== null)).toBe(true);
    const world = (node: THREE.Object3D | null) => node!.getWorldPosition(new THREE.Vector3());
    mannequin.object.updateWorldMatrix(true, true);
    const restTip = world(mannequin.fingerNode("leftIndexDistal"));
    const restRight = world(mannequin.fingerNode("rightMiddleDistal"));
    motion.apply(mannequin);
    mannequin.object.updateWorldMatrix(true, true);
    const wrist = world(mannequin.node("leftHand"));
    const tip = world(mannequin.fingerNode("leftIndexDistal"));
    expect(tip.y).toBeLessThan(wrist.y - 0.03);
    expect(tip.distanceTo(restTip)).toBeGreaterThan(0.03);
    expect(world(mannequin.fingerNode("rightMiddleDistal")).distanceTo(restRight)).toBeLessThan(1e-9);
    mannequin.dispose();
  });
});
