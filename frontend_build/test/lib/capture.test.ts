import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Capture, type CaptureEvents, type JpegEncoder } from "../../src/lib/capture";
import { StreamChannel } from "../../src/lib/channel";
import { PoseConnection } from "../../src/lib/protocol";
import { FakeSocket, LIMITS } from "../fakeSocket";
import { poseMessage } from "../poses";

/** Stands in for the browser's JPEG encoding (a worker's OffscreenCanvas): bytes sized by width. */
class StandInEncoder implements JpegEncoder {
  calls: Array<[number, number, number]> = [];
  failure: Error | null = null;
  async encode(_video: HTMLVideoElement, width: number, height: number, quality: number) {
    this.calls.push([width, height, quality]);
    if (this.failure) throw this.failure;
    return new Uint8Array(width).buffer;
  }
}

/** The part of a `<video>` the capture reads; `frame` plays a video frame callback. */
function video(width = 640, height = 480, frameCallbacks = false) {
  const callbacks: VideoFrameRequestCallback[] = [];
  const element = { readyState: 4, videoWidth: width, videoHeight: height } as Record<string, unknown>;
  if (frameCallbacks) {
    element.requestVideoFrameCallback = (cb: VideoFrameRequestCallback) => callbacks.push(cb);
  }
  const frame = (captureTime?: number) => {
    const pending = callbacks.splice(0);
    const meta = { captureTime } as VideoFrameCallbackMetadata;
    pending.forEach((cb) => cb(performance.now(), meta));
  };
  return { element: element as unknown as HTMLVideoElement, frame, callbacks };
}

describe("Capture", () => {
  let socket: FakeSocket;
  let connection: PoseConnection;
  let channel: StreamChannel;
  let encoder: StandInEncoder;
  let capture: Capture;
  let seen: { sent: number[]; skipped: number; failures: Array<string | null> };

  const flush = () => vi.advanceTimersByTimeAsync(0);
  const frames = () =>
    socket.sentEvents("frame") as Array<[{ seq: number; capture_ts: number }, ArrayBuffer]>;
  const seqs = () => frames().map(([meta]) => meta.seq);
  /** Captures at `fps`-spaced times from `from`, `count` of them, then lets encoding finish. */
  async function captureAt(from: number, count: number, every = 100) {
    for (let i = 0; i < count; i++) capture.capture(from + i * every);
    await flush();
  }

  beforeEach(async () => {
    vi.useFakeTimers();
    socket = new FakeSocket();
    connection = new PoseConnection(socket);
    encoder = new StandInEncoder();
    seen = { sent: [], skipped: 0, failures: [] };
    const events: CaptureEvents = {
      sent: (_now, bytes) => seen.sent.push(bytes),
      skipped: () => seen.skipped++,
      encodeFailed: (error) => seen.failures.push(error?.message ?? null),
    };
    // Wired as StreamSession wires them: a pose answers its frame, an error may free one.
    channel = new StreamChannel(connection, "cam1", {
      pose: (pose) => capture.answered(pose.seq),
      error: (error) => capture.serverError(error.code),
      phase: (phase) =>
        phase === "running" && capture.start(connection.limits?.max_in_flight, channel.granted),
      credit: (granted) => capture.credit(granted),
    });
    capture = new Capture(channel, encoder, events, { fps: 10, quality: 0.7, maxInFlight: 2 });
    socket.serverConnect();
    capture.attach(video().element);
    capture.start();
    channel.start({});
    await flush();
  });

  afterEach(() => {
    capture.close();
    vi.useRealTimers();
  });

  it("takes max_in_flight from the server's start reply and skips captures at the limit", async () => {
    expect(capture.flow.limit).toBe(LIMITS.max_in_flight);
    await captureAt(0, 10);
    expect(seqs()).toEqual([0, 1, 2]);
    expect(seen.skipped).toBe(7);
    expect(seen.sent).toEqual([640, 640, 640]);
  });

  it("sends again once a pose answers, and a pose settles every older frame", async () => {
    await captureAt(0, 4);
    expect(seqs()).toEqual([0, 1, 2]);
    socket.fire("pose", poseMessage(1));
    await captureAt(400, 3);
    expect(seqs()).toEqual([0, 1, 2, 3, 4]);
    expect(capture.flow.pending).toBe(3);
    socket.fire("pose", poseMessage(4));
    expect(capture.flow.pending).toBe(0);
    expect(seen.skipped).toBe(2);
  });

  it("frees a slot when the server rejects a frame, not for other errors", async () => {
    await captureAt(0, 3);
    socket.fire("error", { code: "TOO_MANY_STREAMS", message: "no", stream_id: "cam1" });
    socket.fire("error", { code: "RATE_LIMITED", message: "slow down", stream_id: "other" });
    expect(capture.flow.pending).toBe(3);
    socket.fire("error", { code: "RATE_LIMITED", message: "slow down", stream_id: "cam1" });
    expect(capture.flow.pending).toBe(2);
  });

  it("lets an unanswered frame expire after 2 s instead of blocking the stream", async () => {
    await captureAt(0, 3);
    await captureAt(1999, 1);
    expect(seqs()).toEqual([0, 1, 2]);
    await captureAt(2100, 1);
    expect(seqs()).toEqual([0, 1, 2, 3]);
  });

  it("keeps the chosen rate from a faster camera", async () => {
    for (let t = 0; t < 1000; t += 1000 / 30) {
      capture.capture(t);
      await flush();
      const last = frames().at(-1);
      if (last) socket.fire("pose", poseMessage(last[0].seq));
    }
    expect(frames()).toHaveLength(10);
    expect(seen.skipped).toBe(0);
  });

  it("sends nothing while the stream is not running on the server", async () => {
    socket.serverDrop();
    await captureAt(0, 3);
    expect(frames()).toHaveLength(0);
    expect(seen.skipped).toBe(0);
    socket.serverConnect();
    await flush();
    await captureAt(1000, 1);
    expect(seqs()).toEqual([0]);
  });

  it("stops capturing when stopped, and forgets the frames in flight", async () => {
    await captureAt(0, 3);
    capture.stop();
    expect(capture.flow.pending).toBe(0);
    await captureAt(1000, 3);
    expect(frames()).toHaveLength(3);
  });

  it("sends the frame's metadata with the camera's capture time, at a size within the limits", async () => {
    capture.attach(video(1920, 1080).element);
    capture.capture(500, 480);
    capture.capture(1500, 100);
    await flush();
    const [[first, jpeg], [second]] = frames();
    expect(first).toEqual({ stream_id: "cam1", seq: 0, capture_ts: performance.timeOrigin + 480 });
    expect(jpeg.byteLength).toBe(1280);
    // A camera time a second or more before the capture is not this frame's.
    expect(second.capture_ts).toBe(performance.timeOrigin + 1500);
    expect(encoder.calls).toEqual([
      [1280, 720, 0.7],
      [1280, 720, 0.7],
    ]);
    expect(capture.size).toEqual([1280, 720]);
  });

  it("frees the slot of a frame that failed to encode, and says when encoding works again", async () => {
    encoder.failure = new Error("no context");
    for (let i = 0; i < 5; i++) await captureAt(i * 100, 1);
    expect(frames()).toHaveLength(0);
    expect(capture.flow.pending).toBe(0);
    expect(seen.failures).toEqual(["no context", "no context", "no context", "no context", "no context"]);
    encoder.failure = null;
    await captureAt(500, 2);
    expect(seqs()).toEqual([5, 6]);
    expect(seen.failures.at(-1)).toBeNull();
    expect(seen.failures.filter((f) => f === null)).toHaveLength(1);
  });
});

describe("Capture with credits", () => {
  let socket: FakeSocket;
  let capture: Capture;
  let skipped = 0;
  const flush = () => vi.advanceTimersByTimeAsync(0);
  const seqs = () =>
    (socket.sentEvents("frame") as Array<[{ seq: number }, ArrayBuffer]>).map(([m]) => m.seq);

  beforeEach(async () => {
    vi.useFakeTimers();
    skipped = 0;
    socket = new FakeSocket();
    // A server with credits: one granted at start.
    socket.reply = (_event, data) => ({ ok: true, stream_id: data?.stream_id, limits: LIMITS, granted: 1 });
    const connection = new PoseConnection(socket);
    const channel: StreamChannel = new StreamChannel(connection, "cam1", {
      pose: (pose) => capture.answered(pose.seq),
      error: () => undefined,
      phase: (phase) =>
        phase === "running" && capture.start(connection.limits?.max_in_flight, channel.granted),
      credit: (granted) => capture.credit(granted),
    });
    const events = { sent: () => undefined, skipped: () => skipped++, encodeFailed: () => undefined };
    capture = new Capture(channel, new StandInEncoder(), events, { fps: 10, quality: 0.7, maxInFlight: 2 });
    socket.serverConnect();
    capture.attach(video().element);
    channel.start({});
    await flush();
  });

  afterEach(() => {
    capture.close();
    vi.useRealTimers();
  });

  it("asks for credits and sends one frame per credit, skipping captures in between", async () => {
    expect(socket.sentEvents("start")[0][0]).toMatchObject({ credits: true });
    for (let i = 0; i < 4; i++) capture.capture(i * 100);
    await flush();
    expect(seqs()).toEqual([0]);
    expect(skipped).toBe(3);
  });

  it("takes the newest frame the moment a credit comes, not at the next capture", async () => {
    capture.capture(0);
    capture.capture(100);
    await flush();
    socket.fire("credit", { stream_id: "cam1", granted: 2 });
    await flush();
    expect(seqs()).toEqual([0, 1]);
    // An old or repeated total grants nothing; another stream's credit is not ours.
    socket.fire("credit", { stream_id: "cam1", granted: 2 });
    socket.fire("credit", { stream_id: "other", granted: 9 });
    capture.capture(200);
    await flush();
    expect(seqs()).toEqual([0, 1]);
  });

  it("keeps a credit that came while no capture was owed for the next capture", async () => {
    capture.capture(0);
    await flush();
    socket.fire("pose", { ...poseMessage(0), granted: 2 });
    await flush();
    expect(seqs()).toEqual([0]);
    capture.capture(100);
    await flush();
    expect(seqs()).toEqual([0, 1]);
  });

  it("assumes a credit after 5 s without one rather than stop for good", async () => {
    capture.capture(0);
    capture.capture(4900);
    await flush();
    expect(seqs()).toEqual([0]);
    capture.capture(5100);
    await flush();
    expect(seqs()).toEqual([0, 1]);
    expect(capture.credits.stalls).toBe(1);
  });
});

describe("FrameClock", () => {
  let socket: FakeSocket;
  let capture: Capture;
  let connection: PoseConnection;

  beforeEach(async () => {
    vi.useFakeTimers();
    socket = new FakeSocket();
    connection = new PoseConnection(socket);
    const channel = new StreamChannel(connection, "cam1", {
      pose: (pose) => capture.answered(pose.seq),
      error: () => undefined,
      phase: () => undefined,
      credit: () => undefined,
    });
    const events = { sent: () => undefined, skipped: () => undefined, encodeFailed: () => undefined };
    capture = new Capture(channel, new StandInEncoder(), events, { fps: 10, quality: 0.7, maxInFlight: 2 });
    socket.serverConnect();
    channel.start({});
    await vi.advanceTimersByTimeAsync(0);
    // The server answers every frame at once.
    const emit = socket.emit.bind(socket);
    socket.emit = (event: string, ...args: unknown[]) => {
      emit(event, ...args);
      const meta = args[0] as { seq: number };
      if (event === "frame") queueMicrotask(() => socket.fire("pose", poseMessage(meta.seq)));
      return socket;
    };
  });

  afterEach(() => {
    capture.close();
    vi.useRealTimers();
  });

  it("captures on video frame callbacks while they come", async () => {
    const camera = video(640, 480, true);
    capture.attach(camera.element);
    capture.start();
    for (let i = 0; i < 10; i++) {
      camera.frame(performance.now());
      await vi.advanceTimersByTimeAsync(100);
    }
    expect(socket.sentEvents("frame")).toHaveLength(10);
    expect(camera.callbacks).toHaveLength(1);
  });

  it("paces captures with a timer when video frame callbacks stop", async () => {
    const camera = video(640, 480, true);
    capture.attach(camera.element);
    capture.start();
    await vi.advanceTimersByTimeAsync(1000);
    expect(socket.sentEvents("frame")).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(2000);
    // The watchdog looks every 500 ms: the timer took over 1 to 1.5 s in.
    const sent = socket.sentEvents("frame").length;
    expect(sent).toBeGreaterThanOrEqual(15);
    expect(sent).toBeLessThanOrEqual(20);
  });

  it("captures nothing once stopped, and again when started", async () => {
    capture.attach(video().element);
    capture.start();
    await vi.advanceTimersByTimeAsync(1000);
    const sent = socket.sentEvents("frame").length;
    expect(sent).toBeGreaterThanOrEqual(9);
    capture.stop();
    await vi.advanceTimersByTimeAsync(1000);
    expect(socket.sentEvents("frame")).toHaveLength(sent);
    capture.start();
    await vi.advanceTimersByTimeAsync(1000);
    expect(socket.sentEvents("frame").length).toBeGreaterThanOrEqual(sent + 9);
  });
});
