import { describe, expect, it } from "vitest";
import { saturationHint } from "../../src/lib/streamView";

describe("saturation", () => {
  it("says so when a live stream gets well under the chosen rate over a whole window", () => {
    expect(saturationHint("live", 15, 6.2, 6000, 5000)).toBe(
      "Saturated: 6.2 of 15 poses/s come back. Lower the rate or the quality, or stream fewer cameras.",
    );
  });

  it("stays quiet near the chosen rate, early on, and in any other state", () => {
    expect(saturationHint("live", 15, 11, 6000, 5000)).toBeNull();
    expect(saturationHint("live", 15, 2, 3000, 5000)).toBeNull();
    expect(saturationHint("no one", 15, 2, 6000, 5000)).toBeNull();
    expect(saturationHint("stalled", 15, 0, 6000, 5000)).toBeNull();
  });
});

describe("a refused token", () => {
  it("makes a running tile say signed out, not reconnecting forever", async () => {
    const { StreamView } = await import("../../src/lib/streamView");
    const view = new StreamView(() => false, 0);
    const inputs = { cameraFailed: false, cameraOpen: true, running: true, connected: false };
    expect(view.status(inputs, 100)).toBe("reconnecting");
    expect(view.status({ ...inputs, unauthorized: true }, 100)).toBe("signed out");
    expect(view.status({ ...inputs, running: false, unauthorized: true }, 100)).toBe("stopped");
  });
});
