import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Calibration, calibrationText } from "../../../src/lib/avatar/calibration";
import type { CalibrationVerdict } from "../../../src/lib/types";

const REFUSED: CalibrationVerdict = {
  accepted: false,
  frames: 60,
  reasons: [
    { code: "arms_not_level", message: "hold both arms level, at shoulder height" },
    { code: "not_standing", message: "stand upright with straight legs" },
  ],
  measured: { arm_elevation_deg: 75 },
};

describe("Calibration", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("counts down, asks the server, then shows its verdict", async () => {
    let answer!: (v: CalibrationVerdict) => void;
    const request = vi.fn(() => new Promise<CalibrationVerdict>((resolve) => (answer = resolve)));
    const changed = vi.fn();
    const c = new Calibration(request, changed, 3000);
    c.start(0);
    expect(c.phase.kind).toBe("countdown");
    expect(c.secondsLeft(0)).toBe(3);
    expect(calibrationText(c.phase, c.secondsLeft(1200))).toBe("Hold a T-pose in 2…");
    c.start(500); // a second press during the countdown changes nothing
    await vi.advanceTimersByTimeAsync(2999);
    expect(request).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(request).toHaveBeenCalledTimes(1);
    expect(c.phase.kind).toBe("measuring");
    expect(c.busy).toBe(true);
    answer(REFUSED);
    await vi.advanceTimersByTimeAsync(0);
    expect(c.phase).toEqual({ kind: "verdict", verdict: REFUSED });
    expect(calibrationText(c.phase, 0)).toBe(
      "Calibration refused: hold both arms level, at shoulder height; stand upright with straight legs",
    );
    expect(changed).toHaveBeenCalledTimes(3);
  });

  it("says what was accepted, and what failed", async () => {
    const ok = new Calibration(
      async () => ({ accepted: true, frames: 58, reasons: [], measured: { scale: 0.97 } }),
      () => {},
      0,
    );
    ok.start(0);
    await vi.advanceTimersByTimeAsync(0);
    expect(calibrationText(ok.phase, 0)).toBe("Calibrated from 58 frames");
    const failed = new Calibration(
      async () => Promise.reject(new Error("TIMEOUT: no answer")),
      () => {},
      0,
    );
    failed.start(0);
    await vi.advanceTimersByTimeAsync(0);
    expect(calibrationText(failed.phase, 0)).toBe("Calibration failed: TIMEOUT: no answer");
  });

  it("forgets a calibration cancelled during the countdown or while measuring", async () => {
    const request = vi.fn(async () => REFUSED);
    const c = new Calibration(request, () => {}, 1000);
    c.start(0);
    c.cancel();
    await vi.advanceTimersByTimeAsync(2000);
    expect(request).not.toHaveBeenCalled();
    expect(c.phase.kind).toBe("idle");
    let answer!: (v: CalibrationVerdict) => void;
    const slow = new Calibration(
      () => new Promise((resolve) => (answer = resolve)),
      () => {},
      0,
    );
    slow.start(0);
    await vi.advanceTimersByTimeAsync(0);
    slow.cancel();
    answer(REFUSED);
    await vi.advanceTimersByTimeAsync(0);
    expect(slow.phase.kind).toBe("idle");
  });
});
