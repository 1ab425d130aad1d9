import { describe, expect, it } from "vitest";
import { WatchSession, parseEmails } from "../../src/lib/watch";
import { FakeSocket } from "../fakeSocket";
import { poseMessage } from "../poses";

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

describe("WatchSession", () => {
  it("watches on every connect and feeds the watched poses to its source", async () => {
    const socket = new FakeSocket();
    socket.reply = (_event, data) => ({ ok: true, stream: data.stream });
    let now = 1000;
    const watch = new WatchSession("st_abc", socket, () => now);
    expect(watch.status).toBe("connecting");
    socket.serverConnect();
    await flush();
    expect(socket.sentEvents("watch")).toEqual([[{ stream: "st_abc" }]]);
    expect(watch.status).toBe("watching");
    socket.fire("pose", poseMessage(1, { streamId: "cam" }));
    expect(watch.landmarkCount).toBe(33);
    expect(watch.received).toBe(1);
    expect(watch.poses.poseAt(now)?.seq).toBe(1);
    now += 5000; // no longer live
    expect(watch.poses.poseAt(now)).toBeNull();
    socket.serverDrop();
    socket.serverConnect();
    await flush();
    expect(socket.sentEvents("watch")).toHaveLength(2);
  });

  it("says when the server refuses or the stream ends", async () => {
    const socket = new FakeSocket();
    socket.reply = () => ({ ok: false, error: { code: "FORBIDDEN", message: "not allowed" } });
    const watch = new WatchSession("st_abc", socket);
    socket.serverConnect();
    await flush();
    expect(watch.status).toBe("refused");
    expect(watch.error?.code).toBe("FORBIDDEN");
    socket.fire("pose", poseMessage(1));
    expect(watch.received).toBe(0);

    const ok = new FakeSocket();
    ok.reply = () => ({ ok: true });
    const ending = new WatchSession("st_x", ok);
    ok.serverConnect();
    await flush();
    ok.fire("pose", poseMessage(1));
    ok.fire("unwatched", { stream: "st_x", stream_id: "cam1", reason: "ended" });
    expect(ending.status).toBe("ended");
    expect(ending.landmarkCount).toBe(0);
    ending.close();
    expect(ok.sentEvents("unwatch")).toEqual([[{ stream: "st_x" }]]);
  });
});

describe("parseEmails", () => {
  it("splits on commas and spaces and drops empties", () => {
    expect(parseEmails(" a@x.com, b@y.org ,, c@z.net ")).toEqual(["a@x.com", "b@y.org", "c@z.net"]);
    expect(parseEmails("  ")).toEqual([]);
  });
});
