import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { JpegEncoder } from "../../src/lib/capture";
import { PoseConnection } from "../../src/lib/protocol";
import { StreamSession } from "../../src/lib/session";
import { FakeSocket, LIMITS } from "../fakeSocket";
import { poseMessage } from "../poses";

/** A camera track as the browser gives one: `stop()` ends it (the light goes off). */
class Track {
  readyState: "live" | "ended" = "live";
  constructor(
    readonly label: string,
    private readonly settings: MediaTrackSettings,
  ) {}
  stop() {
    this.readyState = "ended";
  }
  getSettings() {
    return this.settings;
  }
}

/** Stands in for the browser's `navigator.mediaDevices`: one front camera, `opened` its tracks. */
function mediaDevices() {
  const opened: Track[] = [];
  let gate: Promise<void> = Promise.resolve();
  const devices = {
    opened,
    /** Hold every getUserMedia until the returned function is called. */
    hold() {
      let release!: () => void;
      gate = new Promise((resolve) => (release = resolve));
      return release;
    },
    getUserMedia: async () => {
      await gate;
      const track = new Track("/tmp/carphone.y4m", { deviceId: "cam-a", facingMode: "user" });
      opened.push(track);
      return { getTracks: () => [track], getVideoTracks: () => [track] } as unknown as MediaStream;
    },
    enumerateDevices: async () => [{ kind: "videoinput", deviceId: "cam-a", label: "Fake camera" }],
  };
  return devices;
}

const encoder: JpegEncoder = { encode: async (_video, width) => new Uint8Array(width).buffer };

describe("StreamSession", () => {
  let socket: FakeSocket;
  let connection: PoseConnection;
  let devices: ReturnType<typeof mediaDevices>;

  beforeEach(() => {
    devices = mediaDevices();
    vi.stubGlobal("navigator", { mediaDevices: devices });
    socket = new FakeSocket();
    connection = new PoseConnection(socket);
    socket.serverConnect();
  });

  afterEach(() => vi.unstubAllGlobals());

  const flush = () => new Promise((resolve) => setTimeout(resolve, 0));
  const starts = () => socket.sentEvents("start").length;

  it("opens the camera, pins the device it picked, and starts the stream", async () => {
    const session = new StreamSession(connection, encoder);
    expect(session.status).toBe("opening");
    await session.open();
    await flush();
    expect(session.camera.label).toBe("carphone.y4m");
    expect(session.settings.camera).toBe("device:cam-a");
    expect(session.settings.mirror).toBe(true);
    expect(socket.sentEvents("start")).toEqual([[{ stream_id: session.id, credits: true }]]);
    expect(session.status).toBe("waiting");
    socket.fire("pose", poseMessage(0, { streamId: session.id }));
    expect(session.status).toBe("live");
    session.dispose();
    expect(devices.opened[0].readyState).toBe("ended");
  });

  it("releases the camera at once on Stop, clears the pose, and opens it again on Start", async () => {
    const session = new StreamSession(connection, encoder);
    await session.open();
    await flush();
    socket.fire("pose", poseMessage(0, { streamId: session.id }));
    expect(session.poses.poseAt(performance.now())).not.toBeNull();

    session.setRunning(false);
    expect(devices.opened[0].readyState).toBe("ended");
    expect(session.camera.stream).toBeNull();
    expect(session.poses.poseAt(performance.now())).toBeNull();
    expect(session.status).toBe("stopped");
    await flush();
    expect(socket.sentEvents("stop")).toEqual([[{ stream_id: session.id }]]);

    // Another camera chosen while stopped opens only with the next Start.
    session.update({ camera: "facing:environment" });
    await flush();
    expect(devices.opened).toHaveLength(1);

    session.setRunning(true);
    expect(session.status).toBe("opening");
    await flush();
    await flush();
    expect(devices.opened).toHaveLength(2);
    expect(devices.opened[1].readyState).toBe("live");
    expect(starts()).toBe(2);
    expect(session.status).toBe("waiting");
    session.dispose();
  });

  it("takes Try again on a stopped tile as Start", async () => {
    const session = new StreamSession(connection, encoder);
    await session.open();
    await session.setRunning(false);
    await session.open();
    await flush();
    expect(session.running).toBe(true);
    expect(session.camera.stream).not.toBeNull();
    expect(session.status).toBe("waiting");
    session.dispose();
  });

  it("stops a camera that finishes opening after Stop", async () => {
    const session = new StreamSession(connection, encoder);
    const release = devices.hold();
    const opening = session.open();
    session.setRunning(false);
    release();
    await opening;
    expect(devices.opened).toHaveLength(1);
    expect(devices.opened[0].readyState).toBe("ended");
    expect(session.camera.stream).toBeNull();
    expect(starts()).toBe(0);
    session.dispose();
  });

  it("asks for the body model with the avatar on, learns the bone order, and calibrates the stream", async () => {
    const bones = ["hips", "spine", "head"];
    socket.reply = (event, data) =>
      event === "start"
        ? { ok: true, stream_id: data.stream_id, limits: LIMITS, bones }
        : event === "calibrate"
          ? {
              accepted: false,
              frames: 60,
              reasons: [{ code: "arms_bent", message: "straighten both arms" }],
              measured: {},
            }
          : { ok: true };
    const session = new StreamSession(connection, encoder, { avatar: true });
    expect(session.poses.bones).toBeNull();
    await session.open();
    await flush();
    expect(socket.sentEvents("start")).toEqual([
      [{ stream_id: session.id, kinematics: true, credits: true }],
    ]);
    expect(session.poses.bones).toEqual(bones);
    const verdict = await connection.calibrate(session.id);
    expect(socket.sentEvents("calibrate")).toEqual([[{ stream_id: session.id }]]);
    expect(verdict.reasons[0].code).toBe("arms_bent");
    session.dispose();
  });

  it("restarts the stream without the body model when the avatar is turned off", async () => {
    vi.useFakeTimers();
    try {
      const session = new StreamSession(connection, encoder, { avatar: true });
      await session.open();
      await vi.advanceTimersByTimeAsync(0);
      session.update({ avatar: false });
      await vi.advanceTimersByTimeAsync(400);
      expect(socket.sentEvents("start").at(-1)).toEqual([{ stream_id: session.id, credits: true }]);
      expect(starts()).toBe(2);
      session.dispose();
    } finally {
      vi.useRealTimers();
    }
  });

  it("restarts the stream asking for the hands when they are turned on, and without them when off", async () => {
    vi.useFakeTimers();
    try {
      const session = new StreamSession(connection, encoder);
      await session.open();
      await vi.advanceTimersByTimeAsync(0);
      session.update({ hands: true });
      await vi.advanceTimersByTimeAsync(400);
      expect(socket.sentEvents("start").at(-1)).toEqual([
        { stream_id: session.id, hands: true, credits: true },
      ]);
      session.update({ hands: false });
      await vi.advanceTimersByTimeAsync(400);
      expect(socket.sentEvents("start").at(-1)).toEqual([{ stream_id: session.id, credits: true }]);
      expect(starts()).toBe(3);
      session.dispose();
    } finally {
      vi.useRealTimers();
    }
  });

  it("refuses to calibrate a stream that is not running, and passes on the server's refusal", async () => {
    await expect(connection.calibrate("nope")).rejects.toThrow(/DISCONNECTED/);
    socket.reply = (event, data) =>
      event === "calibrate"
        ? { ok: false, error: { code: "BAD_REQUEST", message: "the stream was not started with kinematics" } }
        : { ok: true, stream_id: data.stream_id, limits: LIMITS };
    const session = new StreamSession(connection, encoder);
    await session.open();
    await flush();
    await expect(connection.calibrate(session.id)).rejects.toThrow(/BAD_REQUEST: the stream was not started/);
    session.dispose();
  });
});
