/**
 * A stand-in for socket.io-client's Socket with a scripted server: `reply` answers acked
 * emits (start/stop), and the helpers play the server's side (connect, drop, push events).
 */
import type { SocketLike } from "../src/lib/protocol";

type Listener = (...args: any[]) => void;

export class FakeSocket implements SocketLike {
  connected = false;
  sent: Array<{ event: string; args: unknown[] }> = [];
  /** The server's answer to an acked emit; undefined means it never answers. */
  reply: (event: string, data: any) => unknown = (_event, data) => ({
    ok: true,
    stream_id: data?.stream_id,
    limits: LIMITS,
  });
  connectCalls = 0;
  private listeners = new Map<string, Listener[]>();
  private managerListeners = new Map<string, Listener[]>();
  io = { on: (event: string, fn: Listener) => this.add(this.managerListeners, event, fn) };

  private add(map: Map<string, Listener[]>, event: string, fn: Listener): this {
    map.set(event, [...(map.get(event) ?? []), fn]);
    return this;
  }

  on(event: string, fn: Listener): this {
    return this.add(this.listeners, event, fn);
  }

  emit(event: string, ...args: unknown[]): this {
    const ack = typeof args.at(-1) === "function" ? (args.pop() as Listener) : undefined;
    this.sent.push({ event, args });
    if (ack) {
      const answer = this.reply(event, args[0]);
      if (answer !== undefined) queueMicrotask(() => ack(answer));
    }
    return this;
  }

  connect(): this {
    this.connectCalls++;
    return this;
  }

  disconnect(): this {
    this.connected = false;
    return this;
  }

  // -- the server's side ----------------------------------------------------------
  fire(event: string, ...args: unknown[]): void {
    for (const fn of this.listeners.get(event) ?? []) fn(...args);
  }

  fireManager(event: string, ...args: unknown[]): void {
    for (const fn of this.managerListeners.get(event) ?? []) fn(...args);
  }

  serverConnect(): void {
    this.connected = true;
    this.fire("connect");
  }

  serverDrop(reason = "transport close"): void {
    this.connected = false;
    this.fire("disconnect", reason);
  }

  sentEvents(event: string): unknown[][] {
    return this.sent.filter((s) => s.event === event).map((s) => s.args);
  }
}

export const LIMITS = {
  max_frame_bytes: 2_000_000,
  max_width: 1920,
  max_height: 1920,
  max_in_flight: 3,
  max_fps: 30,
};

/** Let queued microtasks (acks) run. */
export const settle = () => new Promise<void>((resolve) => setTimeout(resolve, 0));
