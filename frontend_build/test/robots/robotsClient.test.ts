import { describe, expect, it } from "vitest";
import { FakeSocket } from "../fakeSocket";
import { BehavioursApi, RobotsClient, warnings } from "../../src/robots/robotsClient";

const REX = {
  id: "rb_rex",
  name: "rex",
  model: "go2",
  status: "offline",
  controller: null,
  estopped: false,
  actions: ["hello"],
  limits: { max_vx: 0.6, max_vy: 0.4, max_yaw: 1, max_accel: 1.5 },
  telemetry: null,
};

function connected(): { socket: FakeSocket; client: RobotsClient } {
  const socket = new FakeSocket();
  socket.reply = (event) => (event === "robots_list" ? { ok: true, robots: [REX] } : { ok: true });
  const client = new RobotsClient(socket);
  socket.connected = true;
  socket.fire("connect");
  return { socket, client };
}

const flush = () => new Promise((r) => setTimeout(r, 0));

describe("RobotsClient", () => {
  it("lists on connect and follows status, telemetry and the lease", async () => {
    const { socket, client } = connected();
    await flush();
    expect(client.state.robots.map((r) => r.name)).toEqual(["rex"]);
    socket.fire("robot_status", { robot_id: "rb_rex", status: "online", estopped: false });
    socket.fire("lease", { robot_id: "rb_rex", holder: "user:olga" });
    socket.fire("robot_telemetry", { robot_id: "rb_rex", ts: 1, battery: { soc: 15 } });
    socket.fire("lease", { robot_id: "rb_other", holder: "user:x" }); // unknown: ignored
    const rex = client.state.robots[0];
    expect(rex.status).toBe("online");
    expect(rex.controller).toBe("user:olga");
    expect(warnings(rex.telemetry)).toEqual(["Low battery (15 %)"]);
  });

  it("sends the protocol's payloads and keeps the last refusal", async () => {
    const { socket, client } = connected();
    await flush();
    client.drive("rb_rex", { x: 0.1, y: 0, z: -0.2 }, 7);
    await client.estop("rb_rex");
    await client.poseControl("rb_rex", "st_1", true);
    const sent = socket.sent.filter((s) => s.event !== "robots_list");
    expect(sent.map((s) => [s.event, s.args[0]])).toEqual([
      ["drive", { robot_id: "rb_rex", x: 0.1, y: 0, z: -0.2, seq: 7 }],
      ["estop", { robot_id: "rb_rex" }],
      ["pose_control", { robot_id: "rb_rex", stream_id: "st_1", on: true }],
    ]);
    socket.reply = () => ({ ok: false, error: { code: "CONFLICT", message: "held" } });
    const ack = await client.take("rb_rex");
    expect(ack.ok).toBe(false);
    expect(client.state.error?.code).toBe("CONFLICT");
    socket.fire("robot_error", { robot_id: "rb_rex", error: { code: "COMMAND_STALE", message: "late" } });
    expect(client.state.error?.code).toBe("COMMAND_STALE");
  });

  it("warns of hot motors", () => {
    expect(warnings({ robot_id: "r", ts: 0, motor_temps: [40, 75.4] })).toEqual(["Hot motor (75 °C)"]);
    expect(warnings(null)).toEqual([]);
  });
});

describe("BehavioursApi", () => {
  it("sends the token and reads errors", async () => {
    const calls: Array<[string, RequestInit | undefined]> = [];
    const api = new BehavioursApi("http://h/", "tok", async (url, init) => {
      calls.push([url, init]);
      if (init?.method === "POST")
        return new Response(JSON.stringify({ error: { message: "bad" } }), { status: 400 });
      return new Response(JSON.stringify({ behaviours: [] }));
    });
    expect(await api.list()).toEqual([]);
    await expect(api.save({ name: "n", models: ["go2"], steps: [] })).rejects.toThrow("bad");
    expect(calls[0][0]).toBe("http://h/api/behaviours");
    expect((calls[0][1]?.headers as Record<string, string>).Authorization).toBe("Bearer tok");
  });
});
