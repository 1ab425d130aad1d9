/**
 * The studio's side of `/robots` (docs/robots.md): the robots' live state from
 * `robots_list`, `robot_status`, `robot_telemetry` and `lease`, and the commands. Every
 * command is acknowledged `{ok}` or `{ok: false, error}`; `call` resolves either way.
 * No React in here: the page subscribes.
 */
import type { SocketLike } from "../lib/protocol";
import type {
  Behaviour,
  BehaviourCreate,
  ErrorBody,
  Lease,
  Robot,
  RobotTelemetry,
} from "../lib/generated/protocol";
import type { Velocity } from "./drive";

export type Ack = { ok: true; [key: string]: unknown } | { ok: false; error: ErrorBody };

export const ACK_TIMEOUT_MS = 5000;
export const LOW_BATTERY = 20;
export const HOT_MOTOR_C = 70;

export interface RobotsState {
  robots: Robot[];
  connected: boolean;
  /** The last refusal (a command the server or robot turned down), for the page to show. */
  error: ErrorBody | null;
}

export class RobotsClient {
  state: RobotsState = { robots: [], connected: false, error: null };
  private listeners = new Set<(s: RobotsState) => void>();

  constructor(private readonly socket: SocketLike) {
    socket.on("connect", () => {
      this.set({ connected: true });
      void this.refresh();
    });
    socket.on("disconnect", () => this.set({ connected: false }));
    socket.on("robot_status", (s: { robot_id: string; status: Robot["status"]; estopped: boolean }) =>
      this.patch(s.robot_id, { status: s.status, estopped: s.estopped }),
    );
    socket.on("robot_telemetry", (t: RobotTelemetry) => this.patch(t.robot_id, { telemetry: t }));
    socket.on("lease", (l: Lease) => this.patch(l.robot_id, { controller: l.holder }));
    socket.on("robot_error", (e: { error: ErrorBody }) => this.set({ error: e.error }));
  }

  subscribe(fn: (s: RobotsState) => void): () => void {
    this.listeners.add(fn);
    fn(this.state);
    return () => this.listeners.delete(fn);
  }

  private set(change: Partial<RobotsState>): void {
    this.state = { ...this.state, ...change };
    for (const fn of this.listeners) fn(this.state);
  }

  private patch(id: string, change: Partial<Robot>): void {
    if (!this.state.robots.some((r) => r.id === id)) return;
    this.set({ robots: this.state.robots.map((r) => (r.id === id ? { ...r, ...change } : r)) });
  }

  call(event: string, data?: unknown): Promise<Ack> {
    return new Promise((resolve) => {
      const timer = setTimeout(
        () => resolve({ ok: false, error: { code: "INTERNAL", message: "no answer from the server" } }),
        ACK_TIMEOUT_MS,
      );
      this.socket.emit(event, data ?? {}, (ack: Ack) => {
        clearTimeout(timer);
        if (!ack.ok && event !== "drive") this.set({ error: ack.error });
        resolve(ack);
      });
    });
  }

  async refresh(): Promise<void> {
    const ack = await this.call("robots_list");
    if (ack.ok) this.set({ robots: ack.robots as Robot[] });
  }

  take(robotId: string): Promise<Ack> {
    return this.call("take_control", { robot_id: robotId });
  }

  release(robotId: string): Promise<Ack> {
    return this.call("release_control", { robot_id: robotId });
  }

  drive(robotId: string, v: Velocity, seq: number): void {
    // Fire and forget at 15 Hz; a refusal (the lease lost, an e-stop) arrives as its ack.
    void this.call("drive", { robot_id: robotId, x: v.x, y: v.y, z: v.z, seq });
  }

  action(robotId: string, name: string): Promise<Ack> {
    return this.call("robot_action", { robot_id: robotId, name });
  }

  estop(robotId: string): Promise<Ack> {
    return this.call("estop", { robot_id: robotId });
  }

  clearEstop(robotId: string): Promise<Ack> {
    return this.call("clear_estop", { robot_id: robotId });
  }

  poseControl(robotId: string, streamId: string, on: boolean): Promise<Ack> {
    return this.call("pose_control", { robot_id: robotId, stream_id: streamId, on });
  }

  runBehaviour(robotId: string, behaviourId: string): Promise<Ack> {
    return this.call("run_behaviour", { robot_id: robotId, behaviour_id: behaviourId });
  }

  close(): void {
    this.socket.disconnect();
  }

  dismissError(): void {
    this.set({ error: null });
  }
}

/** The telemetry strip's warnings. */
export function warnings(t: RobotTelemetry | null | undefined): string[] {
  if (!t) return [];
  const out: string[] = [];
  const soc = t.battery?.soc;
  if (typeof soc === "number" && soc < LOW_BATTERY) out.push(`Low battery (${Math.round(soc)} %)`);
  const hottest = Math.max(...(t.motor_temps ?? []), -Infinity);
  if (hottest >= HOT_MOTOR_C) out.push(`Hot motor (${Math.round(hottest)} °C)`);
  return out;
}

type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

/** `/api/behaviours` and `/api/streams` (for the pose-control stream choice). */
export class BehavioursApi {
  constructor(
    private readonly backendUrl: string,
    private readonly token: string | null,
    private readonly fetcher: Fetch = (input, init) => fetch(input, init),
  ) {}

  private async request<T>(path: string, init: RequestInit = {}): Promise<T> {
    const headers: Record<string, string> = { "Content-Type": "application/json" };
    if (this.token) headers.Authorization = `Bearer ${this.token}`;
    const response = await this.fetcher(`${this.backendUrl.replace(/\/$/, "")}${path}`, {
      ...init,
      headers,
      credentials: this.token ? "omit" : "include",
    });
    if (!response.ok) {
      const body = (await response.json().catch(() => ({}))) as { error?: ErrorBody };
      throw new Error(body.error?.message ?? `HTTP ${response.status}`);
    }
    return (await response.json()) as T;
  }

  async list(): Promise<Behaviour[]> {
    return (await this.request<{ behaviours: Behaviour[] }>("/api/behaviours")).behaviours;
  }

  save(body: BehaviourCreate): Promise<Behaviour> {
    return this.request<Behaviour>("/api/behaviours", { method: "POST", body: JSON.stringify(body) });
  }

  async streams(): Promise<Array<{ id: string; stream_id: string }>> {
    const listed = await this.request<{ streams: Array<{ id: string; stream_id: string }> }>("/api/streams");
    return listed.streams;
  }
}
