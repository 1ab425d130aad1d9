import { describe, expect, it } from "vitest";
import { StreamChannel } from "../../src/lib/channel";
import { PoseConnection, type StreamPhase } from "../../src/lib/protocol";
import type { PoseMessage, WireError } from "../../src/lib/types";
import { FakeSocket, LIMITS, settle } from "../fakeSocket";
import { poseMessage } from "../poses";

function channelOn(connection: PoseConnection, id: string) {
  const seen = { poses: [] as PoseMessage[], errors: [] as WireError[], phases: [] as StreamPhase[] };
  const channel = new StreamChannel(connection, id, {
    pose: (pose) => seen.poses.push(pose),
    error: (error) => seen.errors.push(error),
    phase: (phase) => seen.phases.push(phase),
    credit: () => undefined,
  });
  return { channel, seen };
}

describe("StreamChannel", () => {
  it("hears only its own stream's poses, errors and phases", async () => {
    const socket = new FakeSocket();
    const connection = new PoseConnection(socket);
    const a = channelOn(connection, "a");
    const b = channelOn(connection, "b");
    socket.serverConnect();
    a.channel.start({});
    await settle();
    socket.fire("pose", poseMessage(1, { streamId: "a" }));
    socket.fire("pose", poseMessage(2, { streamId: "b" }));
    socket.fire("error", { code: "BAD_FRAME", message: "not a JPEG", stream_id: "b" });
    socket.fire("error", { code: "INTERNAL", message: "no stream named" });
    expect(a.seen.poses.map((p) => p.seq)).toEqual([1]);
    expect(a.seen.phases).toEqual(["starting", "running"]);
    expect(a.seen.errors).toEqual([]);
    expect(b.seen.poses.map((p) => p.seq)).toEqual([2]);
    expect(b.seen.errors.map((e) => e.code)).toEqual(["BAD_FRAME"]);
    expect(b.seen.phases).toEqual([]);
  });

  it("is the capture's frame target: ready once running, with the server's limits", async () => {
    const socket = new FakeSocket();
    const connection = new PoseConnection(socket);
    const { channel } = channelOn(connection, "cam1");
    const jpeg = new Uint8Array([0xff, 0xd8]).buffer;
    expect(channel.connected).toBe(false);
    expect(channel.limits).toBeNull();
    socket.serverConnect();
    channel.start({});
    expect(channel.ready()).toBe(false);
    expect(channel.send(0, 1, jpeg)).toBe(false);
    await settle();
    expect(channel.connected).toBe(true);
    expect(channel.ready()).toBe(true);
    expect(channel.limits).toEqual(LIMITS);
    expect(channel.send(1, 2, jpeg)).toBe(true);
    expect(socket.sentEvents("frame")).toEqual([[{ stream_id: "cam1", seq: 1, capture_ts: 2 }, jpeg]]);
  });

  it("stops the stream and stops listening when closed", async () => {
    const socket = new FakeSocket();
    const connection = new PoseConnection(socket);
    const { channel, seen } = channelOn(connection, "cam1");
    socket.serverConnect();
    channel.start({});
    await settle();
    channel.close();
    await settle();
    expect(socket.sentEvents("stop")).toEqual([[{ stream_id: "cam1" }]]);
    socket.fire("pose", poseMessage(5));
    expect(seen.poses).toEqual([]);
    expect(channel.ready()).toBe(false);
  });
});
