import { describe, expect, it } from "vitest";
import { projectLandmarks } from "../../src/lib/draw";
import { fitContain } from "../../src/lib/geometry";
import { HAND_CONNECTIONS, HAND_LANDMARKS, projectHand, type Hand } from "../../src/lib/hands";
import type { Landmark } from "../../src/lib/types";

function hand(points: Array<[number, number]>): Hand {
  return { side: "left", score: 0.9, landmarks: points.map(([x, y]) => [x, y, 0, 1]) };
}

const spread: Array<[number, number]> = Array.from({ length: HAND_LANDMARKS }, (_, i) => [
  0.1 + 0.04 * i,
  0.9 - 0.035 * i,
]);

describe("hand connections", () => {
  it("join every one of the 21 landmarks: five fingers from the wrist or a knuckle and the palm", () => {
    expect(HAND_CONNECTIONS).toHaveLength(21);
    const used = new Set(HAND_CONNECTIONS.flat());
    expect([...used].sort((a, b) => a - b)).toEqual(Array.from({ length: 21 }, (_, i) => i));
    for (const [a, b] of HAND_CONNECTIONS) expect(a).not.toBe(b);
    // The palm's ring: 0-5-9-13-17-0.
    for (const edge of [
      [0, 5],
      [5, 9],
      [9, 13],
      [13, 17],
      [0, 17],
    ])
      expect(HAND_CONNECTIONS).toContainEqual(edge);
  });
});

describe("projectHand", () => {
  for (const [name, fit] of [
    ["letterboxed", fitContain(1280, 720, 800, 600)],
    ["pillarboxed, mirrored", fitContain(640, 480, 1600, 900, true)],
    ["mirrored, letterboxed", fitContain(352, 288, 500, 700, true)],
  ] as const) {
    it(`puts hand points on the same pixels as pose points (${name})`, () => {
      const asPose: Landmark[] = spread.map(([x, y]) => [x, y, 0, 1, 1]);
      expect(projectHand(fit, hand(spread))).toEqual(projectLandmarks(fit, asPose));
    });
  }

  it("mirrors a hand around the canvas' centre line", () => {
    const plain = projectHand(fitContain(640, 480, 800, 600), hand(spread));
    const mirrored = projectHand(fitContain(640, 480, 800, 600, true), hand(spread));
    plain.forEach((p, i) => {
      expect(mirrored[i]![0]).toBeCloseTo(800 - p![0]);
      expect(mirrored[i]![1]).toBeCloseTo(p![1]);
    });
  });

  it("leaves out a landmark that is not a finite point", () => {
    const points = hand(spread);
    points.landmarks[7] = [NaN, 0.5, 0, 1];
    const projected = projectHand(fitContain(640, 480, 640, 480), points);
    expect(projected[7]).toBeNull();
    expect(projected[8]).not.toBeNull();
  });
});
