import { describe, expect, it } from "vitest";
import { bodySphere, fitDistance } from "../../src/lib/scene3d";

describe("framing the body in the 3D view", () => {
  it("stands far enough back that the sphere fills the narrower field of view", () => {
    // A square view, 90°: the sphere's edge at 45° from the axis, with no margin.
    expect(fitDistance(1, 90, 1, 1)).toBeCloseTo(Math.SQRT2, 6);
    // A view twice as wide keeps the vertical field, so the distance stays.
    expect(fitDistance(1, 90, 2, 1)).toBeCloseTo(Math.SQRT2, 6);
    // A narrow tile (half as wide as tall): the horizontal field decides, from farther.
    const narrow = fitDistance(1, 90, 0.5, 1);
    expect(narrow).toBeCloseTo(1 / Math.sin(Math.atan(0.5)), 6);
    expect(narrow).toBeGreaterThan(Math.SQRT2);
    // The margin scales it; the size too.
    expect(fitDistance(0.9, 45, 4 / 3)).toBeCloseTo((1.1 * 0.9) / Math.sin(Math.PI / 8), 6);
  });

  it("puts the sphere round the joints' box centre, out to the farthest joint", () => {
    const { centre, radius } = bodySphere([
      [0, 1, 0],
      [0, -1, 0],
      [0.3, 0, 0.2],
    ]);
    expect(centre).toEqual([0.15, 0, 0.1]);
    expect(radius).toBeCloseTo(Math.hypot(0.15, 1, 0.1), 6);
  });
});
