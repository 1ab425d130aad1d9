import { describe, expect, it } from "vitest";
import { StreamStats, TimeWindow, percentile } from "../../src/lib/stats";

describe("percentile", () => {
  it("interpolates between ranks", () => {
    expect(percentile([5, 1, 3], 50)).toBe(3);
    expect(percentile([1, 2, 3, 4], 50)).toBe(2.5);
    expect(percentile([10, 20], 95)).toBeCloseTo(19.5);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([1, 2, 3], 0)).toBe(1);
    expect(percentile([1, 2, 3], 100)).toBe(3);
  });

  it("has none for no values", () => {
    expect(percentile([], 50)).toBeNull();
  });
});

describe("TimeWindow", () => {
  it("rates over the window once it is full", () => {
    const w = new TimeWindow(1000, 0);
    for (let t = 0; t < 5000; t += 100) w.add(t);
    expect(w.rate(4950)).toBeCloseTo(10);
  });

  it("rates over the time since the start while younger than the window", () => {
    const w = new TimeWindow(5000, 1000);
    for (let t = 1000; t < 1500; t += 100) w.add(t);
    expect(w.rate(1500)).toBeCloseTo(10);
  });

  it("forgets samples older than the window", () => {
    const w = new TimeWindow(1000, 0);
    w.add(0, 500);
    w.add(900, 10);
    expect(w.percentile(950, 50)).toBe(255);
    expect(w.percentile(1500, 50)).toBe(10);
    expect(w.count(2000)).toBe(0);
    expect(w.mean(2000)).toBeNull();
    expect(w.rate(2000)).toBe(0);
  });
});

describe("StreamStats", () => {
  it("reports rates, latency percentiles, drops and bytes", () => {
    const stats = new StreamStats(0, 5000, 60_000);
    for (let i = 0; i < 50; i++) {
      const t = i * 100;
      stats.frameSent(t, 20_000 + i, 8);
      stats.poseReceived(t + 50, 1e12 + t, 40 + (i % 10), 20, Math.floor(i / 10));
    }
    stats.skipped = 3;
    const s = stats.snapshot(5000);
    expect(s.framesSent).toBe(50);
    expect(s.posesPerSecond).toBeCloseTo(10, 0);
    expect(s.latencyP50).toBeCloseTo(44.5);
    expect(s.serverP50).toBe(20);
    expect(s.encodeP50).toBe(8);
    expect(s.serverDropped).toBe(4);
    expect(s.skipped).toBe(3);
    // The frame sent at t=0 is exactly one window old at t=5000: gone.
    expect(s.bytesPerFrame).toBeCloseTo(20_025);
  });

  it("keeps a minute of latency history for the sparkline", () => {
    const stats = new StreamStats(0, 5000, 60_000);
    for (let i = 0; i <= 120; i++) stats.poseReceived(i * 1000, i * 1000, i, 1, 0);
    expect(stats.history[0][0]).toBe(60_000);
    expect(stats.history.at(-1)).toEqual([120_000, 120]);
  });
});
