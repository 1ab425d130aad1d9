import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { PoseConnection, type StreamPhase } from "../../src/lib/protocol";
import type { PoseMessage, WireError } from "../../src/lib/types";
import { FakeSocket, LIMITS, settle } from "../fakeSocket";

function phases(connection: PoseConnection): Array<[string, StreamPhase, string?]> {
  const seen: Array<[string, StreamPhase, string?]> = [];
  connection.on("phase", (id, phase, error) => seen.push([id, phase, error?.code]));
  return seen;
}

describe("PoseConnection", () => {
  let socket: FakeSocket;
  let connection: PoseConnection;

  beforeEach(() => {
    socket = new FakeSocket();
    connection = new PoseConnection(socket, { ackTimeoutMs: 1000, retryBaseMs: 100, retryMaxMs: 400 });
  });

  afterEach(() => vi.useRealTimers());

  it("reports connection status, and a refused token as final", () => {
    const statuses: string[] = [];
    connection.on("status", (s) => statuses.push(s));
    socket.serverConnect();
    socket.serverDrop();
    socket.fireManager("reconnect_attempt", 1);
    socket.fire("connect_error", new Error("{'code': 'UNAUTHORIZED', 'message': 'missing or wrong token'}"));
    expect(statuses).toEqual(["connected", "reconnecting", "reconnecting", "unauthorized"]);
    expect(connection.statusDetail).toBe("the server refused the access token");
    expect(connection.status).toBe("unauthorized");
  });

  it("recognises a refusal whose code comes as data", () => {
    const refusal = Object.assign(new Error("missing or wrong token"), { data: { code: "UNAUTHORIZED" } });
    socket.fire("connect_error", refusal);
    expect(connection.status).toBe("unauthorized");
  });

  it("keeps trying while the server cannot be reached", () => {
    socket.fire("connect_error", new Error("xhr poll error"));
    expect(connection.status).toBe("connecting");
    expect(connection.statusDetail).toBe("xhr poll error");
  });

  it("starts a stream with its options and learns the server's limits", async () => {
    const seen = phases(connection);
    socket.serverConnect();
    connection.start("cam1", { smoothing: { min_cutoff: 1, beta: 0.05, d_cutoff: 1 } });
    expect(connection.isRunning("cam1")).toBe(false);
    await settle();
    expect(socket.sentEvents("start")).toEqual([
      [{ stream_id: "cam1", smoothing: { min_cutoff: 1, beta: 0.05, d_cutoff: 1 }, credits: true }],
    ]);
    expect(connection.isRunning("cam1")).toBe(true);
    expect(connection.limits).toEqual(LIMITS);
    expect(seen).toEqual([
      ["cam1", "starting", undefined],
      ["cam1", "running", undefined],
    ]);
  });

  it("leaves smoothing out when it is off", async () => {
    socket.serverConnect();
    connection.start("cam1", { smoothing: false });
    await settle();
    expect(socket.sentEvents("start")).toEqual([[{ stream_id: "cam1", credits: true }]]);
  });

  it("sends frames as metadata plus a binary attachment, only while running", async () => {
    const jpeg = new Uint8Array([0xff, 0xd8, 0xff]).buffer;
    expect(connection.sendFrame("cam1", 0, 1.5e12, jpeg)).toBe(false);
    socket.serverConnect();
    connection.start("cam1");
    expect(connection.sendFrame("cam1", 0, 1.5e12, jpeg)).toBe(false);
    await settle();
    expect(connection.sendFrame("cam1", 1, 1.5e12 + 66.7, jpeg)).toBe(true);
    expect(socket.sentEvents("frame")).toEqual([
      [{ stream_id: "cam1", seq: 1, capture_ts: 1.5e12 + 66.7 }, jpeg],
    ]);
    socket.serverDrop();
    expect(connection.sendFrame("cam1", 2, 1.5e12 + 133, jpeg)).toBe(false);
  });

  it("restarts wanted streams after a reconnect, but not stopped ones", async () => {
    socket.serverConnect();
    connection.start("a");
    connection.start("b");
    await settle();
    await connection.stop("b");
    expect(socket.sentEvents("stop")).toEqual([[{ stream_id: "b" }]]);
    socket.serverDrop();
    expect(connection.isRunning("a")).toBe(false);
    socket.sent = [];
    socket.serverConnect();
    await settle();
    expect(socket.sentEvents("start")).toEqual([[{ stream_id: "a", credits: true }]]);
    expect(connection.isRunning("a")).toBe(true);
  });

  it("asks the client to reconnect after the server disconnected it", () => {
    socket.serverConnect();
    socket.serverDrop("io server disconnect");
    expect(socket.connectCalls).toBe(1);
  });

  it("retries a start the server refused while warming up, with backoff", async () => {
    vi.useFakeTimers();
    const seen = phases(connection);
    let refusals = 2;
    socket.reply = (event, data) =>
      event === "start" && refusals-- > 0
        ? { ok: false, error: { code: "ENGINE_UNAVAILABLE", message: "not loaded yet" } }
        : { ok: true, stream_id: data.stream_id, limits: LIMITS };
    socket.serverConnect();
    connection.start("cam1");
    await vi.advanceTimersByTimeAsync(0);
    expect(socket.sentEvents("start")).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(99);
    expect(socket.sentEvents("start")).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(socket.sentEvents("start")).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(200);
    expect(socket.sentEvents("start")).toHaveLength(3);
    expect(connection.isRunning("cam1")).toBe(true);
    expect(seen.filter(([, p]) => p === "retrying").map(([, , code]) => code)).toEqual([
      "ENGINE_UNAVAILABLE",
      "ENGINE_UNAVAILABLE",
    ]);
  });

  it("retries a start that got no answer", async () => {
    vi.useFakeTimers();
    let silent = true;
    socket.reply = (event, data) =>
      silent && event === "start" ? undefined : { ok: true, stream_id: data.stream_id, limits: LIMITS };
    socket.serverConnect();
    connection.start("cam1");
    await vi.advanceTimersByTimeAsync(1000);
    silent = false;
    await vi.advanceTimersByTimeAsync(100);
    expect(socket.sentEvents("start")).toHaveLength(2);
    expect(connection.isRunning("cam1")).toBe(true);
  });

  it("gives up on refusals that cannot change, and learns the stream limit", async () => {
    const seen = phases(connection);
    socket.reply = () => ({
      ok: false,
      error: { code: "TOO_MANY_STREAMS", message: "at most 2", details: { limit: 2 } },
    });
    socket.serverConnect();
    connection.start("cam3");
    await settle();
    expect(seen.at(-1)).toEqual(["cam3", "failed", "TOO_MANY_STREAMS"]);
    expect(connection.maxStreams).toBe(2);
    expect(connection.isRunning("cam3")).toBe(false);
  });

  it("learns the stream limit from the start acknowledgement", async () => {
    socket.reply = () => ({ ok: true, stream_id: "cam1", limits: { ...LIMITS, max_streams: 4 } });
    socket.serverConnect();
    connection.start("cam1");
    await settle();
    expect(connection.maxStreams).toBe(4);
  });

  it("passes poses and errors on to listeners", () => {
    const poses: PoseMessage[] = [];
    const errors: WireError[] = [];
    connection.on("pose", (p) => poses.push(p));
    connection.on("error", (e) => errors.push(e));
    const pose = { stream_id: "cam1", seq: 4 } as PoseMessage;
    socket.fire("pose", pose);
    socket.fire("error", { code: "RATE_LIMITED", message: "slow down", stream_id: "cam1" });
    expect(poses).toEqual([pose]);
    expect(errors).toEqual([{ code: "RATE_LIMITED", message: "slow down", stream_id: "cam1" }]);
  });

  it("restarts a running stream with new options (stop, then start)", async () => {
    socket.serverConnect();
    connection.start("cam1");
    await settle();
    socket.sent = [];
    const restarting = connection.restart("cam1", {
      smoothing: { min_cutoff: 0.5, beta: 0.01, d_cutoff: 1 },
    });
    expect(connection.isRunning("cam1")).toBe(false);
    await restarting;
    await settle();
    expect(socket.sent.map((s) => s.event)).toEqual(["stop", "start"]);
    expect(socket.sentEvents("start")[0][0]).toMatchObject({ smoothing: { min_cutoff: 0.5 } });
    expect(connection.isRunning("cam1")).toBe(true);
  });

  it("ignores a late answer to a start that was superseded", async () => {
    const answers: Array<() => void> = [];
    socket.reply = (event) => (event === "stop" ? { ok: true } : undefined);
    socket.serverConnect();
    const emit = socket.emit.bind(socket);
    socket.emit = (event: string, ...args: unknown[]) => {
      const ack = args.at(-1) as (r: unknown) => void;
      if (event === "start")
        answers.push(() => ack({ ok: false, error: { code: "BAD_REQUEST", message: "old" } }));
      return emit(event, ...args);
    };
    const seen = phases(connection);
    connection.start("cam1");
    await connection.stop("cam1").catch(() => undefined);
    answers[0]();
    await settle();
    expect(seen.map(([, p]) => p)).toEqual(["starting"]);
  });
});
