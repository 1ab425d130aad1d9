/**
 * A recorded stream's JPEGs around the playhead, latest wins: the frame under the
 * playhead is fetched first, then a few ahead the way it plays; fetches the playhead has
 * left behind are aborted; the image shown changes only to the frame wanted now (a late
 * answer for a frame scrubbed past never replaces a newer one). Loaded frames are kept as
 * object URLs, the farthest dropped beyond `keep`. The HTTP cache holds them too
 * (`immutable`).
 */
import { framesAround } from "./timeline";

export type LoadFrame = (index: number, signal: AbortSignal) => Promise<Blob>;

export interface FrameLoaderOptions {
  ahead?: number;
  behind?: number;
  concurrency?: number;
  keep?: number;
  /** Blob to URL (an object URL in the browser). */
  toUrl?: (blob: Blob) => string;
  revoke?: (url: string) => void;
}

export class FrameLoader {
  private readonly cache = new Map<number, string>();
  private readonly inflight = new Map<number, AbortController>();
  private wanted: number[] = [];
  private target = -1;
  /** The frame shown: its index and URL (-1, null: none yet). */
  shownIndex = -1;
  shownUrl: string | null = null;
  fetched = 0;
  aborted = 0;
  error: unknown = null;
  private readonly listeners = new Set<() => void>();
  private readonly ahead: number;
  private readonly behind: number;
  private readonly concurrency: number;
  private readonly keep: number;
  private readonly toUrl: (blob: Blob) => string;
  private readonly revoke: (url: string) => void;

  constructor(
    readonly count: number,
    private readonly load: LoadFrame,
    {
      ahead = 8,
      behind = 2,
      concurrency = 4,
      keep = 90,
      toUrl = (b) => URL.createObjectURL(b),
      revoke = (u) => URL.revokeObjectURL(u),
    }: FrameLoaderOptions = {},
  ) {
    this.ahead = ahead;
    this.behind = behind;
    this.concurrency = concurrency;
    this.keep = keep;
    this.toUrl = toUrl;
    this.revoke = revoke;
  }

  /** Hear when the frame shown changes. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Show frame `index` (playing at `speed`) as soon as it is here. */
  want(index: number, speed = 1): void {
    if (index < 0 || index >= this.count) return;
    const playing = speed !== 0;
    this.wanted = framesAround(index, this.count, {
      ahead: playing ? this.ahead : 1,
      behind: playing ? this.behind : 1,
      speed: speed || 1,
    });
    const keep = new Set(this.wanted);
    for (const [i, abort] of this.inflight) {
      if (!keep.has(i)) {
        abort.abort();
        this.inflight.delete(i);
        this.aborted++;
      }
    }
    if (index !== this.target) {
      this.target = index;
      const url = this.cache.get(index);
      if (url) this.show(index, url);
    }
    this.fill();
  }

  private fill(): void {
    for (const i of this.wanted) {
      if (this.inflight.size >= this.concurrency) break;
      if (!this.cache.has(i) && !this.inflight.has(i)) this.start(i);
    }
  }

  private start(index: number): void {
    const abort = new AbortController();
    this.inflight.set(index, abort);
    this.fetched++;
    this.load(index, abort.signal).then(
      (blob) => {
        if (abort.signal.aborted) return;
        this.inflight.delete(index);
        const url = this.toUrl(blob);
        this.cache.set(index, url);
        this.error = null;
        this.trim();
        if (index === this.target) this.show(index, url);
        this.fill();
      },
      (err: unknown) => {
        if (abort.signal.aborted) return;
        this.inflight.delete(index);
        this.error = err;
        this.listeners.forEach((l) => l());
      },
    );
  }

  private show(index: number, url: string): void {
    this.shownIndex = index;
    this.shownUrl = url;
    this.listeners.forEach((l) => l());
  }

  private trim(): void {
    if (this.cache.size <= this.keep) return;
    // Never a frame wanted now (it would be fetched again at once) nor the one shown.
    const wanted = new Set(this.wanted);
    const byDistance = [...this.cache.keys()]
      .filter((i) => !wanted.has(i) && i !== this.shownIndex)
      .sort((a, b) => Math.abs(b - this.target) - Math.abs(a - this.target));
    for (const i of byDistance.slice(0, this.cache.size - this.keep)) {
      const url = this.cache.get(i)!;
      this.cache.delete(i);
      this.revoke(url);
    }
  }

  get loading(): number[] {
    return [...this.inflight.keys()];
  }

  has(index: number): boolean {
    return this.cache.has(index);
  }

  dispose(): void {
    for (const abort of this.inflight.values()) abort.abort();
    this.inflight.clear();
    for (const url of this.cache.values()) this.revoke(url);
    this.cache.clear();
    this.listeners.clear();
  }
}
