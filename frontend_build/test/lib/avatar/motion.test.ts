import * as THREE from "three";
import { describe, expect, it } from "vitest";
import { AVATAR_BONES, boneMapping } from "../../../src/lib/avatar/bones";
import { MAX_SEGMENT_MS, SkeletonMotion, relaxedRotations, slerpInto } from "../../../src/lib/avatar/motion";
import type { PoseMessage } from "../../../src/lib/types";
import { poseMessage } from "../../poses";
import { ReplayPoses } from "../../replayPoses";

const N = AVATAR_BONES.length;
const about = (axis: [number, number, number], deg: number) =>
  new THREE.Quaternion().setFromAxisAngle(new THREE.Vector3(...axis), (deg * Math.PI) / 180);

/** A pose whose skeleton turns the left upper arm by `deg` about Z (others at rest). */
function skeletal(
  seq: number,
  captureTs: number,
  deg: number,
  extra: Partial<PoseMessage["skeleton"] & object> = {},
): PoseMessage {
  const rotations = Array.from({ length: N }, (): [number, number, number, number] => [0, 0, 0, 1]);
  const q = about([0, 0, 1], deg);
  rotations[AVATAR_BONES.indexOf("leftUpperArm")] = [q.x, q.y, q.z, q.w];
  return {
    ...poseMessage(seq, { captureTs }),
    skeleton: { rotations, root: [0, 0, 0], scale: 1, calibrated: false, ...extra },
  };
}

/** The left upper arm's angle about Z, in degrees, in what `motion` shows. */
function armAngle(rotations: Float64Array): number {
  const k = AVATAR_BONES.indexOf("leftUpperArm") * 4;
  const q = new THREE.Quaternion().fromArray(rotations, k);
  return (2 * Math.atan2(q.z, q.w) * 180) / Math.PI;
}

describe("slerpInto", () => {
  it("follows the great circle at fractional times and takes the short way round", () => {
    const a = about([0, 1, 0], 0);
    const b = about([0, 1, 0], 90);
    const out = new Float64Array(4);
    for (const t of [0, 0.25, 0.5, 0.8, 1]) {
      slerpInto(out, 0, a.toArray(), 0, b.toArray(), 0, t);
      const expected = a.clone().slerp(b, t);
      out.forEach((v, i) => expect(v).toBeCloseTo(expected.toArray()[i], 9));
    }
    // −b is the same rotation: halfway is still 45°, not the long way round.
    const negB = [-b.x, -b.y, -b.z, -b.w];
    slerpInto(out, 0, a.toArray(), 0, negB, 0, 0.5);
    expect(Math.abs(out[3])).toBeCloseTo(Math.cos((45 * Math.PI) / 360), 9);
  });
});

describe("SkeletonMotion", () => {
  it("starts relaxed and shows the first skeleton at once", () => {
    const motion = new SkeletonMotion();
    expect([...motion.sample(0).rotations]).toEqual([...relaxedRotations()]);
    expect(motion.push(skeletal(1, 1000, 30), 100)).toBe(true);
    expect(armAngle(motion.sample(100).rotations)).toBeCloseTo(30, 6);
  });

  it("interpolates from what is shown to the new pose over the time between the poses' captures", () => {
    const motion = new SkeletonMotion();
    motion.push(skeletal(1, 1000, 0), 0);
    motion.sample(0);
    // Poses at 10 Hz: the next one 100 ms later, played over 100 ms of display time.
    motion.push(skeletal(2, 1100, 60), 100);
    motion.sample(150);
    expect(motion.settled).toBe(false);
    motion.sample(200);
    expect(motion.settled).toBe(true);
    expect(motion.pose?.seq).toBe(2);
    for (const [at, expected] of [
      [100, 0],
      [116.7, 10.02],
      [150, 30],
      [183.3, 49.98],
      [200, 60],
      [260, 60],
    ]) {
      expect(armAngle(motion.sample(at).rotations)).toBeCloseTo(expected, 1);
    }
  });

  it("renders more frames than poses arrive, each different while a segment plays", () => {
    const motion = new SkeletonMotion();
    const angles: number[] = [];
    let seq = 0;
    for (let frame = 0; frame < 60; frame++) {
      const now = frame * (1000 / 60);
      // A pose every 100 ms (10 Hz), the arm rising 10° each.
      if (frame % 6 === 0) motion.push(skeletal(++seq, 5000 + seq * 100, seq * 10), now);
      angles.push(armAngle(motion.sample(now).rotations));
    }
    expect(motion.received).toBe(10);
    const distinct = new Set(angles.map((a) => a.toFixed(3)));
    expect(distinct.size).toBeGreaterThan(40);
    // Never backwards: the interpolation is monotonic here.
    for (let i = 1; i < angles.length; i++) expect(angles[i]).toBeGreaterThanOrEqual(angles[i - 1] - 1e-9);
  });

  it("starts a pose that comes early from where the avatar is, without a jump", () => {
    const motion = new SkeletonMotion();
    motion.push(skeletal(1, 1000, 0), 0);
    motion.push(skeletal(2, 1100, 100), 100);
    expect(armAngle(motion.sample(150).rotations)).toBeCloseTo(50, 3);
    // The third arrives halfway through the second's segment.
    motion.push(skeletal(3, 1200, 100), 150);
    expect(armAngle(motion.sample(150).rotations)).toBeCloseTo(50, 3);
    expect(armAngle(motion.sample(200).rotations)).toBeCloseTo(75, 3);
    expect(armAngle(motion.sample(250).rotations)).toBeCloseTo(100, 3);
  });

  it("ignores a pose seen before, one captured before the last, and one without a skeleton", () => {
    const motion = new SkeletonMotion();
    const first = skeletal(2, 2000, 40);
    expect(motion.push(first, 0)).toBe(true);
    expect(motion.push(first, 16)).toBe(false);
    expect(motion.push(skeletal(1, 1900, -40), 20)).toBe(false);
    expect(motion.push(poseMessage(3, { captureTs: 2100 }), 30)).toBe(false);
    expect(motion.push(null, 40)).toBe(false);
    expect(motion.received).toBe(1);
    expect(armAngle(motion.sample(50).rotations)).toBeCloseTo(40, 6);
  });

  it("goes straight to a pose after a gap longer than a segment", () => {
    const motion = new SkeletonMotion();
    motion.push(skeletal(1, 1000, 0), 0);
    motion.push(skeletal(2, 1000 + MAX_SEGMENT_MS + 1, 80), 600);
    expect(armAngle(motion.sample(600).rotations)).toBeCloseTo(80, 6);
  });

  it("interpolates root and scale, and shows whether it is calibrated", () => {
    const motion = new SkeletonMotion();
    motion.push(skeletal(1, 1000, 0, { root: [0, 0, 0], scale: 1 }), 0);
    motion.push(skeletal(2, 1100, 0, { root: [0.2, -0.1, 0], scale: 1.2, calibrated: true }), 100);
    const half = motion.sample(150);
    expect(half.root[0]).toBeCloseTo(0.1);
    expect(half.root[1]).toBeCloseTo(-0.05);
    expect(half.scale).toBeCloseTo(1.1);
    expect(half.calibrated).toBe(true);
  });

  it("smooths on top when asked: stronger follows more slowly, 0 not at all", () => {
    const shown = (smoothing: number) => {
      const motion = new SkeletonMotion();
      motion.smoothing = smoothing;
      motion.push(skeletal(1, 1000, 0), 0);
      motion.sample(0);
      motion.push(skeletal(2, 1100, 60), 100);
      let angle = 0;
      for (let t = 100; t <= 200; t += 1000 / 60) angle = armAngle(motion.sample(t).rotations);
      return angle;
    };
    const none = shown(0);
    const some = shown(0.3);
    const strong = shown(1);
    expect(none).toBeGreaterThan(55);
    expect(some).toBeLessThan(none);
    expect(strong).toBeLessThan(some);
    expect(strong).toBeGreaterThan(0);
  });

  it("follows a recorded session played back through a PoseSource, as it follows a live one", () => {
    const recording = Array.from({ length: 5 }, (_, i) => ({
      at: i * 100,
      pose: skeletal(i, 1000 + i * 100, i * 20),
    }));
    const replay = new ReplayPoses(recording, 600);
    replay.play(0);
    const motion = new SkeletonMotion();
    const angles: number[] = [];
    for (let now = 0; now < 600; now += 1000 / 60) {
      motion.push(replay.poseAt(now), now);
      angles.push(armAngle(motion.sample(now).rotations));
    }
    expect(motion.received).toBe(5);
    expect(angles.at(-1)).toBeCloseTo(80, 3);
    expect(new Set(angles.map((a) => a.toFixed(2))).size).toBeGreaterThan(20);
  });

  it("goes back to the relaxed pose on reset", () => {
    const motion = new SkeletonMotion();
    motion.push(skeletal(1, 1000, 45), 0);
    motion.reset();
    expect(motion.live).toBe(false);
    expect([...motion.sample(10).rotations]).toEqual([...relaxedRotations()]);
  });
});

describe("boneMapping", () => {
  it("maps the wire's bone order onto the avatar's bones by name", () => {
    expect(boneMapping(null)).toEqual([...AVATAR_BONES]);
    expect(boneMapping(["head", "hips", "leftThumbProximal", "rightToes"])).toEqual([
      "head",
      "hips",
      null,
      "rightToes",
    ]);
  });
});
