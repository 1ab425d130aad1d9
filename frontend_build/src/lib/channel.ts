/**
 * One stream on the shared `PoseConnection`: its start, stop and restart, its frames out,
 * and the connection's events that concern it (poses, errors and phases with its id).
 */
import type { FrameTarget } from "./capture";
import type { PoseConnection, StreamPhase } from "./protocol";
import type { Limits, PoseMessage, StartOptions, WireError } from "./types";

export interface ChannelEvents {
  pose(pose: PoseMessage): void;
  error(error: WireError): void;
  phase(phase: StreamPhase, error?: WireError): void;
  credit(granted: number): void;
}

export class StreamChannel implements FrameTarget {
  private readonly unsubscribe: Array<() => void>;

  constructor(
    readonly connection: PoseConnection,
    readonly id: string,
    events: ChannelEvents,
  ) {
    this.unsubscribe = [
      connection.on("pose", (pose) => pose.stream_id === id && events.pose(pose)),
      connection.on("error", (error) => error.stream_id === id && events.error(error)),
      connection.on("phase", (streamId, phase, error) => streamId === id && events.phase(phase, error)),
      connection.on("credit", (streamId, granted) => streamId === id && events.credit(granted)),
    ];
  }

  get connected(): boolean {
    return this.connection.status === "connected";
  }

  /** The credits the stream's start reply granted (undefined: the server grants none). */
  get granted(): number | undefined {
    return this.connection.granted(this.id);
  }

  get limits(): Limits | null {
    return this.connection.limits;
  }

  start(options: StartOptions): void {
    this.connection.start(this.id, options);
  }

  stop(): Promise<void> {
    return this.connection.stop(this.id);
  }

  restart(options: StartOptions): Promise<void> {
    return this.connection.restart(this.id, options);
  }

  ready(): boolean {
    return this.connection.isRunning(this.id);
  }

  send(seq: number, captureTs: number, jpeg: ArrayBuffer): boolean {
    return this.connection.sendFrame(this.id, seq, captureTs, jpeg);
  }

  /** Stops the stream and stops listening. */
  close(): void {
    this.unsubscribe.forEach((off) => off());
    void this.stop();
  }
}
