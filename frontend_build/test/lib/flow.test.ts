import { describe, expect, it } from "vitest";
import { FlowControl, Pacer } from "../../src/lib/flow";

describe("FlowControl", () => {
  it("allows at most `limit` unanswered frames", () => {
    const flow = new FlowControl(2);
    expect(flow.canSend(0)).toBe(true);
    flow.sent(0, 0);
    flow.sent(1, 10);
    expect(flow.canSend(20)).toBe(false);
    flow.answered(0);
    expect(flow.pending).toBe(1);
    expect(flow.canSend(30)).toBe(true);
  });

  it("settles older frames with a newer answer (the server superseded them)", () => {
    const flow = new FlowControl(3);
    [0, 1, 2].forEach((seq) => flow.sent(seq, seq));
    flow.answered(1);
    expect(flow.pending).toBe(1);
    flow.answered(1);
    expect(flow.pending).toBe(1);
    flow.answered(2);
    expect(flow.pending).toBe(0);
  });

  it("expires frames that were never answered, and counts them", () => {
    const flow = new FlowControl(1, 2000);
    flow.sent(0, 0);
    expect(flow.canSend(1999)).toBe(false);
    expect(flow.canSend(2000)).toBe(true);
    expect(flow.expired).toBe(1);
  });

  it("frees the oldest frame when the server rejects one", () => {
    const flow = new FlowControl(2);
    flow.sent(5, 0);
    flow.sent(6, 1);
    flow.rejected();
    expect(flow.pending).toBe(1);
    flow.answered(5);
    expect(flow.pending).toBe(1);
    flow.rejected();
    flow.rejected();
    expect(flow.pending).toBe(0);
  });

  it("forgets everything on reset", () => {
    const flow = new FlowControl(1);
    flow.sent(0, 0);
    flow.reset();
    expect(flow.canSend(0)).toBe(true);
  });
});

describe("Pacer", () => {
  /** Captures a pacer allows for video frames arriving every `frameMs` with some jitter. */
  function captures(fps: number, frameMs: number, durationMs: number, jitterMs = 0): number {
    const pacer = new Pacer(fps);
    let n = 0;
    for (let i = 0; i * frameMs < durationMs; i++) {
      const now = i * frameMs + (i % 2 ? jitterMs : -jitterMs);
      if (pacer.ready(now)) {
        pacer.mark(now);
        n++;
      }
    }
    return n;
  }

  it("keeps the chosen rate from a faster camera", () => {
    expect(captures(10, 1000 / 30, 10_000)).toBeGreaterThanOrEqual(99);
    expect(captures(10, 1000 / 30, 10_000)).toBeLessThanOrEqual(101);
    expect(captures(15, 1000 / 30, 10_000, 3)).toBeGreaterThanOrEqual(148);
    expect(captures(15, 1000 / 30, 10_000, 3)).toBeLessThanOrEqual(151);
  });

  it("takes every frame when the camera is slower than the rate", () => {
    expect(captures(30, 1000 / 15, 10_000)).toBe(150);
  });

  it("does not burst to catch up after a pause", () => {
    const pacer = new Pacer(10);
    pacer.mark(0);
    expect(pacer.ready(5000)).toBe(true);
    pacer.mark(5000);
    expect(pacer.ready(5010)).toBe(false);
    expect(pacer.delay(5010)).toBeCloseTo(100 - 10 - pacer.slackMs);
  });
});
