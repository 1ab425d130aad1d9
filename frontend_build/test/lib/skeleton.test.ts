import { describe, expect, it } from "vitest";
import { projectLandmarks } from "../../src/lib/draw";
import { fitContain } from "../../src/lib/geometry";
import { BONES, NUM_LANDMARKS, boneSide, sideOf } from "../../src/lib/skeleton";
import type { Landmark } from "../../src/lib/types";

describe("skeleton", () => {
  it("has the server's 33 landmarks and bones between them", () => {
    expect(NUM_LANDMARKS).toBe(33);
    for (const [a, b] of BONES) {
      expect(a).toBeGreaterThanOrEqual(0);
      expect(b).toBeLessThan(NUM_LANDMARKS);
    }
  });

  it("colours by the person's side, which mirroring does not change", () => {
    expect(sideOf(0)).toBe("center");
    expect(sideOf(11)).toBe("left");
    expect(sideOf(12)).toBe("right");
    expect(sideOf(9)).toBe("left");
    expect(boneSide([11, 13])).toBe("left");
    expect(boneSide([11, 12])).toBe("center");
  });

  it("projects every landmark of a pose, mirrored or not", () => {
    const pose: Landmark[] = Array.from({ length: 33 }, (_, i) => [i / 32, 0.5, 0, 1, 1]);
    const plain = projectLandmarks(fitContain(640, 480, 640, 480), pose);
    const mirrored = projectLandmarks(fitContain(640, 480, 640, 480, true), pose);
    expect(plain).toHaveLength(33);
    expect(plain[11]).toEqual([220, 240]);
    expect(mirrored[11]).toEqual([420, 240]);
  });
});
