import { describe, expect, it } from "vitest";
import { fitContain, toCanvas, visibilityAlpha } from "../../src/lib/geometry";

describe("fitContain", () => {
  it("pillarboxes a 4:3 picture on a 16:9 canvas", () => {
    const fit = fitContain(640, 480, 1600, 900);
    expect(fit.scale).toBeCloseTo(900 / 480);
    expect(fit.offsetY).toBe(0);
    expect(fit.offsetX).toBeCloseTo((1600 - 640 * (900 / 480)) / 2);
  });

  it("letterboxes a 16:9 picture on a 4:3 canvas", () => {
    const fit = fitContain(1280, 720, 800, 600);
    expect(fit.scale).toBeCloseTo(800 / 1280);
    expect(fit.offsetX).toBe(0);
    expect(fit.offsetY).toBeCloseTo((600 - 450) / 2);
  });

  it("has no scale before the video knows its size", () => {
    expect(fitContain(0, 0, 800, 600).scale).toBe(0);
  });
});

describe("toCanvas", () => {
  const fit = fitContain(1280, 720, 800, 600);

  it("maps the picture's corners and centre inside the letterbox bars", () => {
    expect(toCanvas(fit, 0, 0)).toEqual([0, 75]);
    expect(toCanvas(fit, 1, 1)).toEqual([800, 525]);
    expect(toCanvas(fit, 0.5, 0.5)).toEqual([400, 300]);
  });

  it("mirrors around the canvas centre and leaves y alone", () => {
    const mirrored = { ...fit, mirrored: true };
    expect(toCanvas(mirrored, 0.25, 0.2)).toEqual([600, 75 + 0.2 * 450]);
    expect(toCanvas(mirrored, 0.5, 0.5)).toEqual([400, 300]);
  });

  it("mirrors pillarboxed pictures onto the same drawn area", () => {
    const pillar = fitContain(640, 480, 1600, 900, true);
    const [left] = toCanvas(pillar, 0, 0);
    const [right] = toCanvas(pillar, 1, 0);
    expect(left).toBeCloseTo(1600 - pillar.offsetX);
    expect(right).toBeCloseTo(pillar.offsetX);
  });
});

describe("visibilityAlpha", () => {
  it("fades low visibility but never hides a joint", () => {
    expect(visibilityAlpha(1)).toBe(1);
    expect(visibilityAlpha(0.7)).toBeCloseTo(1);
    expect(visibilityAlpha(0.45)).toBeCloseTo(0.5);
    expect(visibilityAlpha(0)).toBe(0.15);
    expect(visibilityAlpha(Number.NaN)).toBe(0.15);
  });
});
