/**
 * Recording from the studio over `/pose` (docs/sessions.md "Recording over Socket.IO"):
 * `record` and `stop_record` (acknowledged), the server's `recording` progress about once
 * a second, and `SINK_BEHIND` warnings about a recorded stream. No React in here.
 *
 * When the connection drops, the server keeps the session recording for a while
 * (`record_rejoin_seconds`), and the page's streams, started again under their names
 * after the reconnect, record on into it; its `recording` events then come to the new
 * connection. So after the reconnect the recorder asks the server whether the session
 * still records and keeps showing it; if the server ended it meanwhile (`stream_ended`),
 * it records the same streams, once they run again, into a new session named
 * "… (continued)", with the same tags and video choice. Active recordings are also
 * kept in `localStorage`, so a reloaded page asks after them and shows how they ended.
 */
import { keepRecordings, takeKeptRecordings, type RecordingStorage } from "./recordingStore";
import type { SessionInfo } from "./sessionsApi";
import type { WireError } from "./types";

/** The part of a socket.io-client `Socket` used here (tests pass a fake). */
export interface RecordSocket {
  readonly connected: boolean;
  on(event: string, listener: (...args: any[]) => void): unknown;
  emit(event: string, ...args: unknown[]): unknown;
}

/** What the recorder asks over HTTP (the `SessionsClient`). */
export interface SessionLookup {
  get(id: string): Promise<SessionInfo>;
  update(id: string, change: { name?: string; tags?: string[] }): Promise<SessionInfo>;
}

export interface RecordChoice {
  /** Empty: the server's default ("Session <UTC start time>"). */
  name: string;
  tags: string[];
  /** Keep the JPEGs besides the poses. */
  video: boolean;
}

export type RecordingPhase = "starting" | "recording" | "reconnecting" | "ended";

export interface Recording {
  sessionId: string;
  /** The studio's stream ids (each tile's `stream_id`) in this session. */
  streams: string[];
  name: string;
  tags: string[];
  video: boolean;
  phase: RecordingPhase;
  status: SessionInfo["status"];
  elapsedS: number;
  frames: number;
  bytes: number;
  stopReason: string | null;
  /** Why it stopped, when a limit or a failure ended it; or a `SINK_BEHIND` warning. */
  error: WireError | null;
  /** The session this one records on from, after a reconnect. */
  continues: string | null;
}

export interface RecorderOptions {
  ackTimeoutMs?: number;
  /** Where active recordings are kept across a reload (absent: nowhere). */
  storage?: RecordingStorage | null;
  /** The server-wide id of a studio stream, once it runs (for "record all"). */
  serverId?: (streamId: string) => string | null;
  /** Whether a studio stream runs on another connection than the recorder's socket (a
   * WebRTC tile): it is then recorded by its server-wide id. */
  elsewhere?: (streamId: string) => boolean;
  /** How often a reloaded page asks again after a session still recording (ms). */
  followMs?: number;
}

type Reply = { ok: boolean; session?: SessionInfo; error?: WireError };

export class Recorder {
  private readonly active = new Map<string, Recording>();
  /** The latest recording (active or ended) each stream was part of. */
  private readonly byStream = new Map<string, Recording>();
  /** A refusal to start, per stream ("*" for record all). */
  private readonly refusals = new Map<string, WireError>();
  /** Recordings cut by a dropped connection, waiting for their streams to run again. */
  private readonly resuming = new Map<string, Recording>();
  /** What a reloaded page found of the recordings it had. */
  readonly found: Recording[] = [];
  private readonly running = new Set<string>();
  private readonly listeners = new Set<() => void>();
  private readonly ackTimeoutMs: number;
  private readonly storage: RecorderOptions["storage"];
  private readonly serverId: (streamId: string) => string | null;
  private readonly elsewhere: (streamId: string) => boolean;
  private readonly followMs: number;
  private disposed = false;

  constructor(
    private readonly socket: RecordSocket,
    private readonly http: SessionLookup,
    options: RecorderOptions = {},
  ) {
    this.ackTimeoutMs = options.ackTimeoutMs ?? 15_000;
    this.storage = options.storage ?? null;
    this.serverId = options.serverId ?? (() => null);
    this.elsewhere = options.elsewhere ?? (() => false);
    this.followMs = options.followMs ?? 5_000;
    socket.on("recording", (event: RecordingEventWire) => this.onProgress(event));
    socket.on("error", (error: WireError) => this.onError(error));
    socket.on("disconnect", () => this.onDisconnect());
    socket.on("connect", () => void this.onConnect());
    void this.askAfterStored();
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }

  /** The recording this stream is in now, or the one it was last in. */
  forStream(streamId: string): Recording | null {
    return this.byStream.get(streamId) ?? null;
  }

  /** Why the last start for this stream was refused (null: it was not). */
  refusal(streamId: string): WireError | null {
    return this.refusals.get(streamId) ?? null;
  }

  recordings(): Recording[] {
    return [...this.active.values()];
  }

  isRecording(streamId: string): boolean {
    const r = this.byStream.get(streamId);
    return r !== undefined && r.phase !== "ended";
  }

  /**
   * Record one stream, or several (one session over all of them). Resolves with the
   * recording; a refusal is kept (`refusal`) and rethrown as the wire error.
   */
  async start(streams: string[], choice: RecordChoice, continues: string | null = null): Promise<Recording> {
    const key = streams.length === 1 ? streams[0] : "*";
    for (const s of [...streams, key]) this.refusals.delete(s);
    const payload: Record<string, unknown> = { tags: choice.tags, video: choice.video };
    if (choice.name.trim()) payload.name = choice.name.trim();
    if (streams.length === 1 && !this.elsewhere(streams[0])) payload.stream_id = streams[0];
    else {
      const ids = streams.map((s) => this.serverId(s));
      if (ids.some((id) => id === null)) {
        const error: WireError = { code: "UNKNOWN_STREAM", message: "a stream is not running yet" };
        this.refuse(streams, key, error);
        throw error;
      }
      payload.streams = ids;
    }
    const reply = await this.call("record", payload);
    if (!reply.ok || !reply.session) {
      const error = reply.error ?? { code: "INTERNAL", message: "the server did not start the recording" };
      this.refuse(streams, key, error);
      throw error;
    }
    const session = reply.session;
    const recording: Recording = {
      sessionId: session.id,
      streams: [...streams],
      name: session.name,
      tags: session.tags,
      video: session.video,
      phase: "recording",
      status: session.status,
      elapsedS: 0,
      frames: 0,
      bytes: session.bytes,
      stopReason: null,
      error: null,
      continues,
    };
    this.active.set(session.id, recording);
    for (const s of streams) this.byStream.set(s, recording);
    this.store();
    this.changed();
    return recording;
  }

  /** Stop a recording; resolves with it ended. */
  async stop(sessionId: string): Promise<Recording | null> {
    const recording = this.active.get(sessionId) ?? this.resuming.get(sessionId) ?? null;
    this.resuming.delete(sessionId);
    if (!recording) return null;
    const reply = await this.call("stop_record", { session_id: sessionId });
    if (reply.ok && reply.session) this.end(recording, reply.session.status, reply.session.stop_reason);
    else if (reply.error?.code === "CONFLICT") this.end(recording, "complete", recording.stopReason);
    else {
      recording.error = reply.error ?? null;
      this.changed();
    }
    return recording;
  }

  /** Stop every active recording. */
  async stopAll(): Promise<void> {
    await Promise.all([...this.active.keys()].map((id) => this.stop(id)));
  }

  /** Rename or retag a recording (while it records or after). */
  async edit(sessionId: string, change: { name?: string; tags?: string[] }): Promise<void> {
    const session = await this.http.update(sessionId, change);
    for (const r of [...this.active.values(), ...this.byStream.values()]) {
      if (r.sessionId === sessionId) {
        r.name = session.name;
        r.tags = session.tags;
      }
    }
    this.store();
    this.changed();
  }

  /** The studio says a stream runs (again): cut recordings of it resume once all their streams do. */
  streamRunning(streamId: string, running: boolean): void {
    if (running) this.running.add(streamId);
    else this.running.delete(streamId);
    if (!running || !this.socket.connected) return;
    for (const [id, cut] of this.resuming) {
      if (!cut.streams.every((s) => this.running.has(s))) continue;
      this.resuming.delete(id);
      const choice = { name: continuedName(cut.name), tags: cut.tags, video: cut.video };
      void this.start(cut.streams, choice, cut.sessionId).catch(() => undefined);
    }
  }

  /** The studio removed a stream: nothing to resume for it any more. */
  forget(streamId: string): void {
    this.running.delete(streamId);
    for (const [id, cut] of this.resuming) if (cut.streams.includes(streamId)) this.resuming.delete(id);
  }

  dispose(): void {
    this.disposed = true;
    this.listeners.clear();
  }

  // -- the server's side --------------------------------------------------------
  private onProgress(event: RecordingEventWire): void {
    const recording = this.active.get(event.session_id);
    if (!recording) return;
    recording.elapsedS = event.elapsed_s;
    recording.frames = event.frames;
    recording.bytes = event.bytes;
    if (event.error) recording.error = event.error;
    if (event.status !== "recording") this.end(recording, event.status, event.stop_reason);
    else this.changed();
  }

  private onError(error: WireError): void {
    if (error.code !== "SINK_BEHIND" || !error.stream_id) return;
    const recording = this.byStream.get(error.stream_id);
    if (!recording || recording.phase === "ended") return;
    recording.error = error;
    this.changed();
  }

  private onDisconnect(): void {
    for (const recording of this.active.values()) recording.phase = "reconnecting";
    this.changed();
  }

  private async onConnect(): Promise<void> {
    const cut = [...this.active.values()].filter((r) => r.phase === "reconnecting");
    await Promise.all(
      cut.map(async (recording) => {
        const session = await this.http.get(recording.sessionId).catch(() => null);
        if (session) Object.assign(recording, figures(session));
        if (session?.status === "recording") {
          // The server still records it: keep showing it; its events went to the old connection.
          recording.phase = "recording";
          return;
        }
        this.end(recording, session?.status ?? "complete", session?.stop_reason ?? "stream_ended");
        this.resuming.set(recording.sessionId, recording);
      }),
    );
    this.changed();
    for (const s of [...this.running]) this.streamRunning(s, true);
  }

  private end(recording: Recording, status: SessionInfo["status"], reason: string | null): void {
    recording.phase = "ended";
    recording.status = status;
    recording.stopReason = reason;
    this.active.delete(recording.sessionId);
    this.store();
    this.changed();
  }

  private refuse(streams: string[], key: string, error: WireError): void {
    for (const s of [...streams, key]) this.refusals.set(s, error);
    this.changed();
  }

  // -- across a reload ----------------------------------------------------------
  private store(): void {
    if (this.storage) keepRecordings(this.storage, [...this.active.values()]);
  }

  private async askAfterStored(): Promise<void> {
    const stored = this.storage ? takeKeptRecordings(this.storage) : null;
    if (!stored) return;
    for (const s of stored) {
      try {
        const session = await this.http.get(s.sessionId);
        if (this.disposed) return;
        this.found.push({
          ...s,
          name: session.name,
          tags: session.tags,
          phase: session.status === "recording" ? "recording" : "ended",
          status: session.status,
          ...figures(session),
          stopReason: session.stop_reason,
          error: null,
          continues: null,
        });
      } catch {
        // Deleted meanwhile, or no longer ours: nothing to show.
      }
    }
    for (const r of this.found) if (r.phase === "recording") this.follow(r);
    this.changed();
  }

  /**
   * A session still recording when the page was reloaded (the server waits a while for its
   * streams to come back, or another page records it): ask again until it has ended, so
   * the page says how it ended.
   */
  private follow(recording: Recording): void {
    setTimeout(async () => {
      if (this.disposed) return;
      try {
        const session = await this.http.get(recording.sessionId);
        recording.status = session.status;
        recording.stopReason = session.stop_reason;
        Object.assign(recording, figures(session));
        if (session.status === "recording") this.follow(recording);
        else recording.phase = "ended";
      } catch {
        recording.phase = "ended";
      }
      if (!this.disposed) this.changed();
    }, this.followMs);
  }

  private call(event: string, data: unknown): Promise<Reply> {
    return new Promise((resolve) => {
      if (!this.socket.connected) {
        resolve({ ok: false, error: { code: "DISCONNECTED", message: "not connected to the server" } });
        return;
      }
      const timer = setTimeout(
        () => resolve({ ok: false, error: { code: "TIMEOUT", message: `no answer to ${event}` } }),
        this.ackTimeoutMs,
      );
      this.socket.emit(event, data, (reply: Reply) => {
        clearTimeout(timer);
        resolve(reply ?? { ok: false, error: { code: "INTERNAL", message: "no reply" } });
      });
    });
  }
}

type RecordingEventWire = {
  session_id: string;
  status: SessionInfo["status"];
  elapsed_s: number;
  frames: number;
  bytes: number;
  stop_reason: string | null;
  error: WireError | null;
};

/** A recording's running figures, as the server has them now. */
function figures(session: SessionInfo): Pick<Recording, "elapsedS" | "frames" | "bytes"> {
  return {
    elapsedS: session.duration_s,
    frames: session.streams.reduce((n, s) => n + s.frames, 0),
    bytes: session.bytes,
  };
}

function continuedName(name: string): string {
  return name.endsWith(" (continued)") ? name : `${name} (continued)`;
}
