import { beforeEach, describe, expect, it, vi } from "vitest";
import { Recorder, type SessionLookup } from "../../src/lib/recording";
import { STORAGE_KEY } from "../../src/lib/recordingStore";
import { describeRecordingError, formatElapsed, parseTags } from "../../src/lib/recordingText";
import type { SessionInfo } from "../../src/lib/sessionsApi";
import { FakeSocket, settle } from "../fakeSocket";

function session(id: string, over: Partial<SessionInfo> = {}): SessionInfo {
  return {
    id,
    name: "Session 1",
    tags: [],
    owner: "user:1",
    status: "recording",
    video: false,
    started_at: "2026-12-02T05:10:00Z",
    ended_at: null,
    duration_s: 0,
    bytes: 0,
    stop_reason: null,
    note: null,
    streams: [],
    annotations: 0,
    ...over,
  };
}

/** The server's sessions over HTTP, as the recorder asks them. */
class FakeSessions implements SessionLookup {
  rows = new Map<string, SessionInfo>();
  async get(id: string): Promise<SessionInfo> {
    const row = this.rows.get(id);
    if (!row) throw new Error("NOT_FOUND");
    return row;
  }
  async update(id: string, change: { name?: string; tags?: string[] }): Promise<SessionInfo> {
    const row = { ...(await this.get(id)), ...change };
    this.rows.set(id, row);
    return row;
  }
}

class MemoryStorage {
  items = new Map<string, string>();
  getItem = (k: string) => this.items.get(k) ?? null;
  setItem = (k: string, v: string) => void this.items.set(k, v);
  removeItem = (k: string) => void this.items.delete(k);
}

describe("Recorder", () => {
  let socket: FakeSocket;
  let http: FakeSessions;
  let storage: MemoryStorage;
  let recorder: Recorder;
  let next = 0;

  beforeEach(() => {
    socket = new FakeSocket();
    http = new FakeSessions();
    storage = new MemoryStorage();
    next = 0;
    socket.reply = (event, data) => {
      if (event === "record") {
        const row = session(`se_${++next}`, {
          name: data.name ?? "Session default",
          tags: data.tags,
          video: data.video,
        });
        http.rows.set(row.id, row);
        return { ok: true, session: row };
      }
      if (event === "stop_record") {
        const row = {
          ...http.rows.get(data.session_id)!,
          status: "complete" as const,
          stop_reason: "stopped",
        };
        http.rows.set(row.id, row);
        return { ok: true, session: row };
      }
      return undefined;
    };
    recorder = new Recorder(socket, http, {
      ackTimeoutMs: 200,
      storage,
      serverId: (id) => `st_${id}`,
    });
    socket.serverConnect();
  });

  it("records one stream, follows the server's progress and stops", async () => {
    let changes = 0;
    recorder.subscribe(() => changes++);
    const r = await recorder.start(["cam1"], { name: " squats ", tags: ["squat"], video: true });
    expect(socket.sentEvents("record")[0][0]).toEqual({
      stream_id: "cam1",
      name: "squats",
      tags: ["squat"],
      video: true,
    });
    expect(r.phase).toBe("recording");
    expect(recorder.isRecording("cam1")).toBe(true);
    expect(recorder.isRecording("cam2")).toBe(false);
    socket.fire("recording", {
      session_id: r.sessionId,
      status: "recording",
      elapsed_s: 2.0,
      frames: 30,
      bytes: 4096,
      stop_reason: null,
      error: null,
    });
    expect(recorder.forStream("cam1")).toMatchObject({ elapsedS: 2, frames: 30, bytes: 4096 });
    expect(JSON.parse(storage.getItem(STORAGE_KEY)!)).toEqual([
      { sessionId: r.sessionId, streams: ["cam1"], name: "squats", tags: ["squat"], video: true },
    ]);
    await recorder.stop(r.sessionId);
    expect(socket.sentEvents("stop_record")[0][0]).toEqual({ session_id: r.sessionId });
    expect(recorder.forStream("cam1")).toMatchObject({
      phase: "ended",
      status: "complete",
      stopReason: "stopped",
    });
    expect(recorder.isRecording("cam1")).toBe(false);
    expect(storage.getItem(STORAGE_KEY)).toBeNull();
    expect(changes).toBeGreaterThanOrEqual(3);
  });

  it("records all streams as one session by their server ids", async () => {
    const r = await recorder.start(["cam1", "cam2"], { name: "", tags: [], video: false });
    expect(socket.sentEvents("record")[0][0]).toEqual({
      streams: ["st_cam1", "st_cam2"],
      tags: [],
      video: false,
    });
    expect(recorder.forStream("cam1")).toBe(r);
    expect(recorder.forStream("cam2")).toBe(r);
    expect(recorder.recordings()).toEqual([r]);
    await recorder.stopAll();
    expect(recorder.recordings()).toEqual([]);
  });

  it("records a stream on another connection (a WebRTC tile) by its server id", async () => {
    const elsewhere = new Recorder(socket, http, {
      ackTimeoutMs: 200,
      serverId: (id) => `st_${id}`,
      elsewhere: (id) => id === "cam2",
    });
    await elsewhere.start(["cam2"], { name: "", tags: [], video: false });
    expect(socket.sentEvents("record")[0][0]).toEqual({ streams: ["st_cam2"], tags: [], video: false });
    elsewhere.dispose();
  });

  it("keeps a refusal per stream, readable", async () => {
    socket.reply = () => ({
      ok: false,
      error: { code: "QUOTA_EXCEEDED", message: "your recordings use 10 bytes of a 10-byte quota" },
    });
    await expect(recorder.start(["cam1"], { name: "", tags: [], video: false })).rejects.toMatchObject({
      code: "QUOTA_EXCEEDED",
    });
    const refusal = recorder.refusal("cam1")!;
    expect(describeRecordingError(refusal)).toMatch(/^Storage quota reached: .*Delete old sessions/);
    expect(recorder.isRecording("cam1")).toBe(false);
  });

  it("shows an error the server ended the recording with, and SINK_BEHIND on its stream", async () => {
    const r = await recorder.start(["cam1"], { name: "", tags: [], video: true });
    socket.fire("error", { code: "SINK_BEHIND", message: "behind", stream_id: "cam1" });
    expect(recorder.forStream("cam1")!.error?.code).toBe("SINK_BEHIND");
    expect(recorder.isRecording("cam1")).toBe(true);
    socket.fire("recording", {
      session_id: r.sessionId,
      status: "interrupted",
      elapsed_s: 3,
      frames: 40,
      bytes: 9,
      stop_reason: "storage_failed: disk full",
      error: { code: "STORAGE_FAILED", message: "disk full" },
    });
    const ended = recorder.forStream("cam1")!;
    expect(ended).toMatchObject({ phase: "ended", status: "interrupted", frames: 40 });
    expect(describeRecordingError(ended.error!)).toContain("the storage failed (disk full)");
  });

  it("answers a refusal when not connected and when the server never answers", async () => {
    socket.serverDrop();
    await expect(recorder.start(["cam1"], { name: "", tags: [], video: false })).rejects.toMatchObject({
      code: "DISCONNECTED",
    });
    socket.serverConnect();
    socket.reply = () => undefined;
    await expect(recorder.start(["cam1"], { name: "", tags: [], video: false })).rejects.toMatchObject({
      code: "TIMEOUT",
    });
  });

  it("after a reconnect asks how the session ended and records on once the stream runs again", async () => {
    recorder.streamRunning("cam1", true);
    const r = await recorder.start(["cam1"], { name: "squats", tags: ["a"], video: true });
    socket.serverDrop();
    expect(recorder.forStream("cam1")!.phase).toBe("reconnecting");
    recorder.streamRunning("cam1", false);
    // The server ended it with its stream.
    http.rows.set(
      r.sessionId,
      session(r.sessionId, {
        status: "complete",
        stop_reason: "stream_ended",
        duration_s: 4.5,
        streams: [{ frames: 60 } as SessionInfo["streams"][number]],
      }),
    );
    socket.serverConnect();
    await settle();
    expect(r).toMatchObject({ phase: "ended", stopReason: "stream_ended", frames: 60, elapsedS: 4.5 });
    expect(socket.sentEvents("record")).toHaveLength(1);
    recorder.streamRunning("cam1", true);
    await settle();
    const sent = socket.sentEvents("record");
    expect(sent).toHaveLength(2);
    expect(sent[1][0]).toEqual({ stream_id: "cam1", name: "squats (continued)", tags: ["a"], video: true });
    const resumed = recorder.forStream("cam1")!;
    expect(resumed).toMatchObject({ phase: "recording", continues: r.sessionId });
  });

  it("after a reconnect keeps showing a session the server still records", async () => {
    const r = await recorder.start(["cam1"], { name: "", tags: [], video: false });
    socket.serverDrop();
    http.rows.set(r.sessionId, session(r.sessionId, { duration_s: 7, bytes: 100 }));
    socket.serverConnect();
    await settle();
    expect(recorder.forStream("cam1")).toMatchObject({ phase: "recording", elapsedS: 7, bytes: 100 });
    expect(socket.sentEvents("record")).toHaveLength(1);
    // The restarted stream rejoined the session: its progress comes on the new connection.
    const progress = { session_id: r.sessionId, stop_reason: null, error: null };
    socket.fire("recording", { ...progress, status: "recording", elapsed_s: 9, frames: 130, bytes: 200 });
    expect(recorder.forStream("cam1")).toMatchObject({ phase: "recording", elapsedS: 9, frames: 130 });
    await recorder.stop(r.sessionId);
    expect(recorder.forStream("cam1")).toMatchObject({ phase: "ended", stopReason: "stopped" });
    expect(socket.sentEvents("record")).toHaveLength(1);
    expect(socket.sentEvents("stop_record")[0][0]).toEqual({ session_id: r.sessionId });
  });

  it("a reloaded page asks after the recordings it had", async () => {
    const r = await recorder.start(["cam1"], { name: "squats", tags: [], video: false });
    http.rows.set(
      r.sessionId,
      session(r.sessionId, { name: "squats", status: "complete", stop_reason: "stream_ended" }),
    );
    const reloaded = new Recorder(new FakeSocket(), http, { storage });
    await settle();
    expect(reloaded.found).toMatchObject([
      { sessionId: r.sessionId, phase: "ended", stopReason: "stream_ended" },
    ]);
    expect(storage.getItem(STORAGE_KEY)).toBeNull();
  });

  it("a reloaded page follows a session still recording until it ends", async () => {
    const r = await recorder.start(["cam1"], { name: "squats", tags: [], video: false });
    http.rows.set(r.sessionId, session(r.sessionId, { name: "squats", duration_s: 3 }));
    vi.useFakeTimers();
    try {
      const reloaded = new Recorder(new FakeSocket(), http, { storage, followMs: 1000 });
      await vi.advanceTimersByTimeAsync(0);
      expect(reloaded.found).toMatchObject([{ sessionId: r.sessionId, phase: "recording" }]);
      await vi.advanceTimersByTimeAsync(1000);
      expect(reloaded.found[0].phase).toBe("recording");
      // Its stream did not come back: the server ended it.
      http.rows.set(
        r.sessionId,
        session(r.sessionId, {
          status: "complete",
          stop_reason: "stream_ended",
          duration_s: 4,
          streams: [{ frames: 50 } as SessionInfo["streams"][number]],
        }),
      );
      await vi.advanceTimersByTimeAsync(1000);
      expect(reloaded.found[0]).toMatchObject({ phase: "ended", stopReason: "stream_ended", frames: 50 });
      const asked = vi.getTimerCount();
      await vi.advanceTimersByTimeAsync(5000);
      expect(vi.getTimerCount()).toBe(asked); // nothing asks any more
      expect(asked).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it("renames and retags while recording", async () => {
    const r = await recorder.start(["cam1"], { name: "a", tags: [], video: false });
    await recorder.edit(r.sessionId, { name: "b", tags: ["x"] });
    expect(recorder.forStream("cam1")).toMatchObject({ name: "b", tags: ["x"] });
    expect(JSON.parse(storage.getItem(STORAGE_KEY)!)[0].name).toBe("b");
  });
});

describe("recording helpers", () => {
  it("parses tags and formats elapsed time", () => {
    expect(parseTags(" squat, coach ,, squat ")).toEqual(["squat", "coach"]);
    expect(parseTags("")).toEqual([]);
    expect(formatElapsed(0)).toBe("0:00");
    expect(formatElapsed(65.9)).toBe("1:05");
  });
});
