/**
 * Making a clip of a replay's range (docs/sessions.md "Not yet built", the jobs
 * engineer's backend): `POST /api/clips`, then its progress until it is complete or
 * failed, by polling `GET /api/clips/{id}` and from `clip` events pushed on `/pose` (the
 * newest progress wins, never going back), then the MP4 to play inline and download,
 * and a share link to copy or revoke. No React in here.
 */
import { describeError } from "../lib/account";
import type { Clip, ClipStatus, NewClip, SessionsClient } from "./api";

export type ClipPhase = "idle" | "creating" | "rendering" | "complete" | "failed";

export interface ClipState {
  phase: ClipPhase;
  /** 0..1 */
  progress: number;
  clipId: string | null;
  /** The MP4 to play and download (an object URL), once complete. */
  videoUrl: string | null;
  /** The share link (absolute), while shared. */
  shareUrl: string | null;
  error: string | null;
}

const IDLE: ClipState = {
  phase: "idle",
  progress: 0,
  clipId: null,
  videoUrl: null,
  shareUrl: null,
  error: null,
};

export interface ClipFlowOptions {
  pollMs?: number;
  toUrl?: (blob: Blob) => string;
  revokeUrl?: (url: string) => void;
  /** The studio's origin, to make `/share/<token>` absolute. */
  origin?: string;
}

export class ClipFlow {
  state: ClipState = IDLE;
  private readonly listeners = new Set<(s: ClipState) => void>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private run = 0;
  private readonly pollMs: number;
  private readonly toUrl: (blob: Blob) => string;
  private readonly revokeUrl: (url: string) => void;
  private readonly origin: string;

  constructor(
    private readonly client: SessionsClient,
    {
      pollMs = 1000,
      toUrl = (b) => URL.createObjectURL(b),
      revokeUrl = (u) => URL.revokeObjectURL(u),
      origin = typeof location === "undefined" ? "" : location.origin,
    }: ClipFlowOptions = {},
  ) {
    this.pollMs = pollMs;
    this.toUrl = toUrl;
    this.revokeUrl = revokeUrl;
    this.origin = origin;
  }

  subscribe(listener: (s: ClipState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private set(changes: Partial<ClipState>): void {
    this.state = { ...this.state, ...changes };
    this.listeners.forEach((l) => l(this.state));
  }

  /** Start a clip (a new one replaces the last). */
  async start(request: NewClip): Promise<void> {
    this.reset();
    const run = ++this.run;
    this.set({ phase: "creating" });
    let clip: Clip;
    try {
      clip = await this.client.createClip(request);
    } catch (e) {
      if (run === this.run) this.set({ phase: "failed", error: describeError(e) });
      return;
    }
    if (run !== this.run) return;
    this.set({ phase: "rendering", clipId: clip.id });
    await this.seen(clip, run);
  }

  /** A `clip` event pushed on `/pose`: `{id, status, progress}`. */
  receive(event: { id: string; status: ClipStatus; progress: number }): void {
    if (event.id !== this.state.clipId || this.state.phase !== "rendering") return;
    void this.seen({ ...event }, this.run);
  }

  private async seen(clip: Clip, run: number): Promise<void> {
    if (run !== this.run || this.state.phase !== "rendering") return;
    if (clip.status === "failed") {
      this.stopPolling();
      this.set({ phase: "failed", error: clip.error?.message ?? "the clip could not be made" });
      return;
    }
    this.set({ progress: Math.max(this.state.progress, Math.min(1, clip.progress || 0)) });
    if (clip.status === "complete") {
      this.stopPolling();
      try {
        const blob = await this.client.clipVideo(clip.id);
        if (run !== this.run) return;
        this.set({ phase: "complete", progress: 1, videoUrl: this.toUrl(blob) });
      } catch (e) {
        if (run === this.run) this.set({ phase: "failed", error: describeError(e) });
      }
      return;
    }
    this.schedule(clip.id, run);
  }

  private schedule(id: string, run: number): void {
    this.stopPolling();
    this.timer = setTimeout(() => {
      if (run !== this.run) return;
      this.client.clip(id).then(
        (clip) => void this.seen(clip, run),
        // A blip: try again on the next tick; a clip that is gone is final.
        (e: unknown) => {
          if (run !== this.run) return;
          const status = (e as { status?: number }).status ?? 0;
          if (status >= 400 && status < 500 && status !== 429) {
            this.set({ phase: "failed", error: describeError(e) });
          } else this.schedule(id, run);
        },
      );
    }, this.pollMs);
  }

  private stopPolling(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  async share(): Promise<string | null> {
    const id = this.state.clipId;
    if (!id || this.state.phase !== "complete") return null;
    try {
      const { url } = await this.client.share(id);
      const absolute = new URL(url, this.origin || "http://localhost").href;
      this.set({ shareUrl: absolute, error: null });
      return absolute;
    } catch (e) {
      this.set({ error: describeError(e) });
      return null;
    }
  }

  async revoke(): Promise<void> {
    const id = this.state.clipId;
    if (!id) return;
    try {
      await this.client.revoke(id);
      this.set({ shareUrl: null, error: null });
    } catch (e) {
      this.set({ error: describeError(e) });
    }
  }

  reset(): void {
    this.run++;
    this.stopPolling();
    if (this.state.videoUrl) this.revokeUrl(this.state.videoUrl);
    this.state = IDLE;
    this.listeners.forEach((l) => l(this.state));
  }

  dispose(): void {
    this.reset();
    this.listeners.clear();
  }
}
