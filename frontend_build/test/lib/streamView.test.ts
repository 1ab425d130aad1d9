import { describe, expect, it } from "vitest";
import { LIVE_MS } from "../../src/lib/poseSource";
import {
  NO_ONE_MS,
  STATUS_HINTS,
  StreamView,
  readableError,
  type TileInputs,
} from "../../src/lib/streamView";
import { poseMessage } from "../poses";

const ready: TileInputs = { cameraFailed: false, cameraOpen: true, running: true, connected: true };

describe("StreamView", () => {
  it("says what stops a stream before it runs", () => {
    const view = new StreamView(() => false, 0);
    expect(view.status({ ...ready, cameraFailed: true, cameraOpen: false }, 0)).toBe("error");
    expect(view.status({ ...ready, cameraOpen: false }, 0)).toBe("opening");
    expect(view.status({ ...ready, running: false }, 0)).toBe("stopped");
    expect(view.status({ ...ready, running: false, cameraOpen: false }, 0)).toBe("stopped");
    expect(view.status({ ...ready, connected: false }, 0)).toBe("reconnecting");
    expect(view.status(ready, 0)).toBe("starting");
    view.phased("failed", { code: "TOO_MANY_STREAMS", message: "at most 2" }, 10);
    expect(view.status(ready, 10)).toBe("error");
    expect(view.error).toBe("the server allows no more streams on this connection (at most 2)");
  });

  it("waits for the first pose after the start, is live while poses come, stalls without", () => {
    const view = new StreamView(() => false, 0);
    view.posed(poseMessage(0), 50);
    view.phased("running", undefined, 100);
    expect(view.status(ready, 150)).toBe("waiting");
    view.posed(poseMessage(1), 200);
    expect(view.status(ready, 200 + LIVE_MS - 1)).toBe("live");
    expect(view.status(ready, 200 + LIVE_MS)).toBe("stalled");
    expect(view.landmarkCount).toBe(33);
    view.posed(poseMessage(2, { persons: 0 }), 300);
    expect(view.landmarkCount).toBe(0);
  });

  it("says no one is in view when poses keep coming back empty, not after one missed frame", () => {
    const view = new StreamView(() => false, 0);
    view.phased("running", undefined, 0);
    view.posed(poseMessage(0, { persons: 0 }), 100);
    expect(view.status(ready, 100)).toBe("no one");
    expect(STATUS_HINTS["no one"]).toBe("No one in view: step back so your whole body is visible");
    view.posed(poseMessage(1), 200);
    expect(view.status(ready, 200)).toBe("live");
    view.posed(poseMessage(2, { persons: 0 }), 300);
    expect(view.status(ready, 300)).toBe("live");
    view.posed(poseMessage(3, { persons: 0 }), 200 + NO_ONE_MS);
    expect(view.status(ready, 200 + NO_ONE_MS)).toBe("no one");
    expect(view.status(ready, 200 + NO_ONE_MS + LIVE_MS)).toBe("stalled");
  });

  it("shows nothing once stopped, and waits for a new pose after the next start", () => {
    const view = new StreamView(() => false, 0);
    view.phased("running", undefined, 0);
    view.posed(poseMessage(0), 100);
    view.stopped();
    expect(view.poses.poseAt(101)).toBeNull();
    expect(view.landmarkCount).toBe(0);
    expect(view.status({ ...ready, running: false, cameraOpen: false }, 101)).toBe("stopped");
    view.phased("running", undefined, 200);
    expect(view.status(ready, 201)).toBe("waiting");
  });

  it("measures latency from the frame's capture time and counts what the server dropped", () => {
    const view = new StreamView(() => false, 0);
    const captured = performance.timeOrigin + 1000;
    view.posed({ ...poseMessage(0, { captureTs: captured }), dropped: 4 }, 1080);
    const stats = view.stats.snapshot(1100);
    expect(stats.latencyP50).toBeCloseTo(80);
    expect(stats.serverP50).toBe(14);
    expect(stats.serverDropped).toBe(4);
    view.started(2000);
    expect(view.stats.snapshot(2000).latencyP50).toBeNull();
  });

  it("clears an error once what caused it is over", () => {
    const view = new StreamView(() => false, 0);
    view.serverError({ code: "RATE_LIMITED", message: "30 fps", stream_id: "cam1" });
    expect(view.error).toBe("the server drops frames above its rate limit (30 fps)");
    view.posed(poseMessage(0), 10);
    expect(view.error).toBeNull();
    view.encodeFailed(new Error("no context"));
    expect(view.error).toBe("could not encode a frame: no context");
    view.encodeFailed(null);
    expect(view.error).toBeNull();
    view.serverError({ code: "BAD_FRAME", message: "not a JPEG" });
    view.encodeFailed(null);
    expect(view.error).toBe("BAD_FRAME: not a JPEG");
    view.phased("retrying", { code: "ENGINE_UNAVAILABLE", message: "loading" }, 20);
    expect(view.error).toBe("the pose engine is not ready yet; retrying (loading)");
    view.phased("running", undefined, 30);
    expect(view.error).toBeNull();
  });

  it("words errors without a sentence by their code", () => {
    expect(readableError({ code: "INTERNAL", message: "went wrong" })).toBe("INTERNAL: went wrong");
  });
});
