import { describe, expect, it } from "vitest";
import {
  bitsPerSecond,
  captureSize,
  estimateFrameBytes,
  formatBits,
  qualityPreset,
  smoothingParams,
} from "../../src/lib/presets";

describe("presets", () => {
  it("estimates upstream bandwidth from size, quality and rate", () => {
    const bytes = estimateFrameBytes(640, 480, qualityPreset("medium"));
    expect(bytes).toBe(Math.round(640 * 480 * 0.09));
    expect(bitsPerSecond(25_000, 10)).toBe(2_000_000);
    expect(formatBits(2_000_000)).toBe("2.0 Mbit/s");
    expect(formatBits(400_000)).toBe("400 kbit/s");
    expect(qualityPreset("nonsense").id).toBe("medium");
  });

  it("scales captures down to the server's limits, keeping the aspect", () => {
    expect(captureSize(640, 480, { max_width: 1920, max_height: 1920 })).toEqual([640, 480]);
    expect(captureSize(1920, 1080, { max_width: 1920, max_height: 1920 })).toEqual([1280, 720]);
    expect(captureSize(1280, 720, { max_width: 640, max_height: 640 })).toEqual([640, 360]);
    expect(captureSize(720, 1280, { max_width: 1920, max_height: 640 })).toEqual([360, 640]);
  });

  it("makes stronger smoothing steadier (lower cutoff, lower speed response)", () => {
    const weak = smoothingParams(0);
    const strong = smoothingParams(1);
    expect(weak.min_cutoff).toBe(4);
    expect(strong.min_cutoff).toBe(0.3);
    expect(smoothingParams(0.5).min_cutoff).toBeLessThan(weak.min_cutoff);
    expect(smoothingParams(0.5).min_cutoff).toBeGreaterThan(strong.min_cutoff);
    expect(strong.beta).toBeLessThan(weak.beta);
    expect(smoothingParams(7)).toEqual(strong);
  });
});
