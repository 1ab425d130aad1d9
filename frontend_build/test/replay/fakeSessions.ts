/**
 * A scripted sessions API over `fetch` for the replay's tests: a recorded stream of
 * `fps` frames a second, its poses route (`from`/`to`, JSON lines), its frames route, and
 * clips. Requests can be held (`hold`) to play them out of order or abort them.
 */
import type { RecordedFrame } from "../../src/replay/api";
import { poseMessage } from "../poses";

export function recording(seconds: number, fps: number, start = 0.03): RecordedFrame[] {
  const n = Math.floor(seconds * fps);
  return Array.from({ length: n }, (_, i) => {
    const ts = start + i / fps;
    return {
      ts,
      index: i,
      arrival_ts: 1_800_000_000 + ts,
      pose: poseMessage(i, { captureTs: 1_800_000_000_000 + ts * 1000 }),
    };
  });
}

interface Held {
  url: string;
  release: () => void;
  signal?: AbortSignal | null;
}

export class FakeSessions {
  readonly requests: Array<{ method: string; url: string; body?: unknown }> = [];
  readonly aborted: string[] = [];
  held: Held[] = [];
  holding = false;
  routes: Record<string, (url: URL, body: unknown) => Response | Promise<Response>> = {};

  constructor(readonly frames: RecordedFrame[] = []) {}

  fetch = async (input: string, init: RequestInit = {}): Promise<Response> => {
    const url = new URL(input);
    const method = init.method ?? "GET";
    const body = typeof init.body === "string" ? JSON.parse(init.body) : undefined;
    this.requests.push({ method, url: url.pathname + url.search, body });
    const signal = init.signal;
    if (this.holding) {
      await new Promise<void>((resolve, reject) => {
        const held: Held = { url: url.pathname + url.search, release: resolve, signal };
        this.held.push(held);
        signal?.addEventListener("abort", () => {
          this.aborted.push(held.url);
          reject(new DOMException("aborted", "AbortError"));
        });
      });
    }
    if (signal?.aborted) throw new DOMException("aborted", "AbortError");
    const route = this.routes[`${method} ${url.pathname}`];
    if (route) return route(url, body);
    const poses = url.pathname.match(/^\/api\/sessions\/[^/]+\/streams\/[^/]+\/poses$/);
    if (poses) {
      const from = Number(url.searchParams.get("from") ?? 0);
      const to = Number(url.searchParams.get("to") ?? Infinity);
      const lines = this.frames.filter((f) => f.ts >= from && f.ts <= to).map((f) => JSON.stringify(f));
      return new Response(lines.join("\n") + "\n", { headers: { "Content-Type": "application/x-ndjson" } });
    }
    const frame = url.pathname.match(/\/frames\/(\d+)$/);
    if (frame) return new Response(new Blob([`jpeg ${frame[1]}`], { type: "image/jpeg" }));
    return json({ error: { code: "NOT_FOUND", message: "no such thing" } }, 404);
  };

  /** Let the held request for `match` (a substring of its address) answer. */
  release(match: string): void {
    const i = this.held.findIndex((h) => h.url.includes(match));
    if (i < 0) throw new Error(`nothing held for ${match}: ${this.held.map((h) => h.url).join(", ")}`);
    const [held] = this.held.splice(i, 1);
    held.release();
  }

  releaseAll(): void {
    const all = this.held;
    this.held = [];
    all.forEach((h) => h.release());
  }
}

export const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });

/** Let pending promise callbacks run. */
export async function settle(rounds = 10): Promise<void> {
  for (let i = 0; i < rounds; i++) await Promise.resolve();
  await new Promise((resolve) => setTimeout(resolve, 0));
}
