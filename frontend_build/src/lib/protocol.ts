/**
 * The studio's side of the `/pose` protocol: one Socket.IO connection, many streams.
 *
 * The connection remembers which streams the page wants. After a reconnect (the server
 * forgets a connection's streams when it drops) it starts them again by itself, and a
 * start refused because the server is still warming up is retried with backoff.
 */
import type {
  CalibrationVerdict,
  CreditMessage,
  Limits,
  PoseMessage,
  StartOptions,
  StartReply,
  WireError,
} from "./types";

/** The part of a socket.io-client `Socket` used here (tests pass a fake). */
export interface SocketLike {
  readonly connected: boolean;
  on(event: string, listener: (...args: any[]) => void): unknown;
  emit(event: string, ...args: unknown[]): unknown;
  connect(): unknown;
  disconnect(): unknown;
  io?: { on(event: string, listener: (...args: any[]) => void): unknown };
}

export type ConnectionStatus = "connecting" | "connected" | "reconnecting" | "unauthorized";

export type StreamPhase = "starting" | "running" | "retrying" | "failed";

export interface PoseConnectionEvents {
  status: (status: ConnectionStatus, detail?: string) => void;
  pose: (pose: PoseMessage) => void;
  /** A server error; `stream_id` says which stream it concerns, when one does. */
  error: (error: WireError) => void;
  phase: (streamId: string, phase: StreamPhase, error?: WireError) => void;
  /** A stream's running total of credits (`credit` events and each pose's `granted`). */
  credit: (streamId: string, granted: number) => void;
}

/** Start failures worth retrying: the server is up but not ready, or did not answer. */
const RETRYABLE = new Set<WireError["code"]>(["ENGINE_UNAVAILABLE", "INTERNAL", "TIMEOUT", "DISCONNECTED"]);

export interface ConnectionOptions {
  ackTimeoutMs?: number;
  retryBaseMs?: number;
  retryMaxMs?: number;
}

interface WantedStream {
  options: StartOptions;
  running: boolean;
  attempt: number;
  retry?: ReturnType<typeof setTimeout>;
  /** Bumped on every (re)start, so a late reply to an older start is ignored. */
  generation: number;
  /** The order of a pose's `skeleton.rotations` (from the start reply, with `kinematics`). */
  bones?: string[];
  /** The server-wide id ("st_…") from the start reply: what sharing and viewers address. */
  serverId?: string;
  /** The running total of credits in the start reply (absent from a server without credits). */
  granted?: number;
}

type Listeners = { [K in keyof PoseConnectionEvents]: Set<PoseConnectionEvents[K]> };

export class PoseConnection {
  status: ConnectionStatus = "connecting";
  statusDetail = "";
  limits: Limits | null = null;
  /** The server's streams-per-connection limit: from `limits`, or a TOO_MANY_STREAMS refusal. */
  maxStreams: number | null = null;
  private streams = new Map<string, WantedStream>();
  private everConnected = false;
  private listeners: Listeners = {
    status: new Set(),
    pose: new Set(),
    error: new Set(),
    phase: new Set(),
    credit: new Set(),
  };
  private readonly ackTimeoutMs: number;
  private readonly retryBaseMs: number;
  private readonly retryMaxMs: number;

  constructor(
    private readonly socket: SocketLike,
    options: ConnectionOptions = {},
  ) {
    this.ackTimeoutMs = options.ackTimeoutMs ?? 15_000;
    this.retryBaseMs = options.retryBaseMs ?? 500;
    this.retryMaxMs = options.retryMaxMs ?? 5_000;
    socket.on("connect", () => this.onConnect());
    socket.on("disconnect", (reason: string) => this.onDisconnect(reason));
    socket.on("connect_error", (err: Error) => this.onConnectError(err));
    socket.on("pose", (pose: PoseMessage) => {
      if (typeof pose.granted === "number") this.emitLocal("credit", pose.stream_id, pose.granted);
      this.emitLocal("pose", pose);
    });
    socket.on("credit", (credit: CreditMessage) =>
      this.emitLocal("credit", credit.stream_id, credit.granted),
    );
    socket.on("error", (error: WireError) => this.onServerError(error));
    socket.io?.on("reconnect_attempt", (attempt: number) =>
      this.setStatus("reconnecting", `attempt ${attempt}`),
    );
  }

  on<K extends keyof PoseConnectionEvents>(event: K, listener: PoseConnectionEvents[K]): () => void {
    this.listeners[event].add(listener);
    return () => this.listeners[event].delete(listener);
  }

  private emitLocal<K extends keyof PoseConnectionEvents>(
    event: K,
    ...args: Parameters<PoseConnectionEvents[K]>
  ): void {
    for (const listener of this.listeners[event]) {
      (listener as (...a: Parameters<PoseConnectionEvents[K]>) => void)(...args);
    }
  }

  private setStatus(status: ConnectionStatus, detail = ""): void {
    if (status === this.status && detail === this.statusDetail) return;
    this.status = status;
    this.statusDetail = detail;
    this.emitLocal("status", status, detail);
  }

  // -- connection -------------------------------------------------------------
  private onConnect(): void {
    this.everConnected = true;
    this.setStatus("connected");
    for (const [id, wanted] of this.streams) {
      wanted.attempt = 0;
      void this.sendStart(id, wanted);
    }
  }

  private onDisconnect(reason: string): void {
    for (const [id, wanted] of this.streams) {
      wanted.running = false;
      clearTimeout(wanted.retry);
      this.emitLocal("phase", id, "retrying", { code: "DISCONNECTED", message: reason });
    }
    // The client reconnects by itself except after an explicit disconnect by either side.
    if (reason === "io server disconnect") this.socket.connect();
    this.setStatus("reconnecting", reason);
  }

  private onConnectError(err: Error & { data?: { code?: string } }): void {
    // python-socketio puts a refusal's single argument, str()-ed, in the message, and a
    // second argument in `data`: accept the code in either.
    if (err.data?.code === "UNAUTHORIZED" || String(err.message).includes("UNAUTHORIZED")) {
      // A refused token is final: retrying with the same token cannot succeed.
      this.setStatus("unauthorized", "the server refused the access token");
      return;
    }
    this.setStatus(this.everConnected ? "reconnecting" : "connecting", err.message);
  }

  private onServerError(error: WireError): void {
    this.emitLocal("error", error);
  }

  close(): void {
    for (const wanted of this.streams.values()) clearTimeout(wanted.retry);
    this.streams.clear();
    this.socket.disconnect();
  }

  // -- streams ----------------------------------------------------------------
  /** Ask for a stream; it starts now if connected, and again after every reconnect. */
  start(streamId: string, options: StartOptions = {}): void {
    const old = this.streams.get(streamId);
    if (old) clearTimeout(old.retry);
    const wanted: WantedStream = {
      options,
      running: false,
      attempt: 0,
      generation: (old?.generation ?? 0) + 1,
    };
    this.streams.set(streamId, wanted);
    if (this.socket.connected) void this.sendStart(streamId, wanted);
  }

  /** Stop a stream and forget it (no restart after reconnects). */
  async stop(streamId: string): Promise<void> {
    const wanted = this.streams.get(streamId);
    if (!wanted) return;
    clearTimeout(wanted.retry);
    this.streams.delete(streamId);
    if (this.socket.connected) {
      // UNKNOWN_STREAM (it never started, or the server restarted) is fine here.
      await this.call("stop", { stream_id: streamId }).catch(() => undefined);
    }
  }

  /** Change a running stream's options: the protocol sets them at start, so restart it. */
  async restart(streamId: string, options: StartOptions): Promise<void> {
    if (this.streams.has(streamId) && this.socket.connected) {
      const wanted = this.streams.get(streamId)!;
      clearTimeout(wanted.retry);
      wanted.generation++;
      wanted.running = false;
      await this.call("stop", { stream_id: streamId }).catch(() => undefined);
    }
    this.start(streamId, options);
  }

  isRunning(streamId: string): boolean {
    return this.socket.connected && (this.streams.get(streamId)?.running ?? false);
  }

  /** The stream's server-wide id, once its start was answered (null before). */
  serverId(streamId: string): string | null {
    return this.streams.get(streamId)?.serverId ?? null;
  }

  /** The stream's credits as its start reply granted them (undefined: the server has no credits). */
  granted(streamId: string): number | undefined {
    return this.streams.get(streamId)?.granted;
  }

  /** The bone order of the stream's skeletons, once its start with `kinematics` was answered. */
  bones(streamId: string): string[] | null {
    return this.streams.get(streamId)?.bones ?? null;
  }

  /**
   * Ask the server to calibrate the stream's body model from the next ~2 s of frames (the
   * person holds a T-pose). Resolves with the verdict; rejects with the server's error.
   */
  async calibrate(streamId: string, timeoutMs = 15_000): Promise<CalibrationVerdict> {
    if (!this.isRunning(streamId))
      throw wireError({ code: "DISCONNECTED", message: "the stream is not running" });
    const reply = (await this.call("calibrate", { stream_id: streamId }, timeoutMs).catch((err: Error) => {
      throw wireError({ code: "TIMEOUT", message: err.message });
    })) as (CalibrationVerdict & { ok?: boolean; error?: WireError }) | null;
    if (!reply || reply.ok === false || typeof reply.accepted !== "boolean") {
      throw wireError(reply?.error ?? { code: "INTERNAL", message: "no verdict from the server" });
    }
    return reply;
  }

  /** Send one JPEG; false (and nothing sent) unless the stream runs on a live connection. */
  sendFrame(streamId: string, seq: number, captureTs: number, jpeg: ArrayBuffer): boolean {
    if (!this.isRunning(streamId)) return false;
    this.socket.emit("frame", { stream_id: streamId, seq, capture_ts: captureTs }, jpeg);
    return true;
  }

  private async sendStart(streamId: string, wanted: WantedStream): Promise<void> {
    const generation = wanted.generation;
    this.emitLocal("phase", streamId, "starting");
    let reply: {
      ok: boolean;
      id?: string;
      error?: WireError;
      limits?: StartReply["limits"];
      bones?: string[];
      granted?: number;
    };
    try {
      reply = (await this.call("start", {
        stream_id: streamId,
        ...startPayload(wanted.options),
      })) as typeof reply;
    } catch (err) {
      reply = { ok: false, error: { code: "TIMEOUT", message: String((err as Error).message) } };
    }
    if (this.streams.get(streamId) !== wanted || wanted.generation !== generation) return;
    // STREAM_EXISTS: a start raced a reconnect's restart; the stream is there either way.
    if (reply.ok || reply.error?.code === "STREAM_EXISTS") {
      if (reply.limits) {
        this.limits = reply.limits;
        if (typeof reply.limits.max_streams === "number") this.maxStreams = reply.limits.max_streams;
      }
      if (reply.bones) wanted.bones = reply.bones;
      if (reply.id) wanted.serverId = reply.id;
      wanted.granted = reply.granted;
      wanted.running = true;
      wanted.attempt = 0;
      this.emitLocal("phase", streamId, "running");
      return;
    }
    const error = reply.error ?? { code: "INTERNAL", message: "the server refused the stream" };
    if (error.code === "TOO_MANY_STREAMS" && typeof error.details?.limit === "number") {
      this.maxStreams = error.details.limit;
    }
    if (RETRYABLE.has(error.code) && this.socket.connected) {
      const delay = Math.min(this.retryMaxMs, this.retryBaseMs * 2 ** wanted.attempt);
      wanted.attempt++;
      this.emitLocal("phase", streamId, "retrying", error);
      wanted.retry = setTimeout(() => {
        if (this.streams.get(streamId) === wanted && this.socket.connected && !wanted.running) {
          void this.sendStart(streamId, wanted);
        }
      }, delay);
      return;
    }
    this.emitLocal("phase", streamId, "failed", error);
  }

  private call(event: string, data: unknown, timeoutMs = this.ackTimeoutMs): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no answer to ${event} within ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.socket.emit(event, data, (reply: unknown) => {
        clearTimeout(timer);
        resolve(reply);
      });
    });
  }
}

function startPayload(options: StartOptions): Record<string, unknown> {
  const payload: Record<string, unknown> = {};
  if (options.engine) payload.engine = options.engine;
  if (options.smoothing) payload.smoothing = options.smoothing;
  if (options.kinematics) payload.kinematics = true;
  if (options.hands) payload.hands = true;
  // The studio sends only against the server's credits (latest frame wins in the browser).
  payload.credits = true;
  return payload;
}

/** A refusal as an `Error` carrying the wire error (`.wire`), for `await` callers. */
export class WireFailure extends Error {
  constructor(readonly wire: WireError) {
    super(`${wire.code}: ${wire.message}`);
  }
}

function wireError(error: WireError): WireFailure {
  return new WireFailure(error);
}
