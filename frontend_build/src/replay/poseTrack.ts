/**
 * One recorded stream's poses, loaded in fixed windows of session time around the
 * playhead (`GET …/poses?from=&to=`), so a ten-minute session never loads whole and a
 * scrub far away does not wait behind windows it left: fetches of windows no longer
 * wanted are aborted, the nearest to the playhead go first, and the farthest loaded ones
 * are dropped beyond `maxWindows`.
 */
import type { RecordedFrame } from "./api";
import { frameAt, prefetchWindows, stepFrame, windowSpan } from "./timeline";

export type LoadWindow = (
  span: { from: number; to: number },
  signal: AbortSignal,
) => Promise<RecordedFrame[]>;

export interface TrackOptions {
  /** Seconds per window. */
  size?: number;
  ahead?: number;
  behind?: number;
  /** Windows fetched at once. */
  concurrency?: number;
  /** Windows kept in memory. */
  maxWindows?: number;
}

export class PoseTrack {
  private readonly windows = new Map<number, { frames: RecordedFrame[]; times: number[] }>();
  private readonly inflight = new Map<number, AbortController>();
  private wanted: number[] = [];
  private listeners = new Set<() => void>();
  private readonly size: number;
  private readonly ahead: number;
  private readonly behind: number;
  private readonly concurrency: number;
  private readonly maxWindows: number;
  /** Windows fetched (for the tests and the curious). */
  fetched = 0;
  /** Fetches aborted because the playhead left their window. */
  aborted = 0;
  /** The last load's failure, if any. */
  error: unknown = null;
  private lastShown: RecordedFrame | null = null;

  constructor(
    readonly duration: number,
    private readonly load: LoadWindow,
    { size = 10, ahead = 20, behind = 5, concurrency = 2, maxWindows = 40 }: TrackOptions = {},
  ) {
    this.size = size;
    this.ahead = ahead;
    this.behind = behind;
    this.concurrency = concurrency;
    this.maxWindows = maxWindows;
  }

  /** Hear when a window arrives. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private lastWindow(): number {
    return Math.floor(Math.max(this.duration, 0) / this.size);
  }

  isLoaded(w: number): boolean {
    return this.windows.has(w);
  }

  get loading(): number[] {
    return [...this.inflight.keys()];
  }

  /** Ask for the windows around `t` (playing at `speed`): abort the others' fetches, start the nearest. */
  want(t: number, speed = 1): void {
    this.wanted = prefetchWindows(t, this.duration, {
      size: this.size,
      ahead: this.ahead,
      behind: this.behind,
      speed,
    });
    const keep = new Set(this.wanted);
    for (const [w, abort] of this.inflight) {
      if (!keep.has(w)) {
        abort.abort();
        this.inflight.delete(w);
        this.aborted++;
      }
    }
    this.next();
    this.evict(t);
  }

  private start(w: number): void {
    const abort = new AbortController();
    this.inflight.set(w, abort);
    this.fetched++;
    this.load(windowSpan(w, this.size), abort.signal).then(
      (frames) => {
        if (abort.signal.aborted) return;
        this.inflight.delete(w);
        const to = w === this.lastWindow() ? Infinity : (w + 1) * this.size;
        // The route's span is closed at both ends: a frame on the boundary belongs to the next window.
        const mine = frames.filter((f) => f.ts >= w * this.size && f.ts < to).sort((a, b) => a.ts - b.ts);
        this.windows.set(w, { frames: mine, times: mine.map((f) => f.ts) });
        this.error = null;
        this.listeners.forEach((l) => l());
        this.next();
      },
      (err: unknown) => {
        if (abort.signal.aborted) return;
        this.inflight.delete(w);
        this.error = err;
        this.listeners.forEach((l) => l());
      },
    );
  }

  /** Start the wanted windows not loaded or loading, up to `concurrency` at once. */
  private next(): void {
    for (const w of this.wanted) {
      if (this.inflight.size >= this.concurrency) break;
      if (!this.windows.has(w) && !this.inflight.has(w)) this.start(w);
    }
  }

  private evict(t: number): void {
    if (this.windows.size <= this.maxWindows) return;
    const here = Math.floor(t / this.size);
    const wanted = new Set(this.wanted);
    const byDistance = [...this.windows.keys()]
      .filter((w) => !wanted.has(w))
      .sort((a, b) => Math.abs(b - here) - Math.abs(a - here));
    for (const w of byDistance.slice(0, this.windows.size - this.maxWindows)) this.windows.delete(w);
  }

  /**
   * The frame shown at `t`: the last recorded at or before it (from the window under it,
   * or the one before). While that window is still loading, the frame shown last stays
   * if it is within a second (a scrub does not blink); otherwise none.
   */
  frameAt(t: number): RecordedFrame | null {
    const found = this.lookup(t);
    if (found !== undefined) {
      this.lastShown = found;
      return found;
    }
    const last = this.lastShown;
    return last && Math.abs(last.ts - t) <= 1 ? last : null;
  }

  /** The frame at `t` from loaded windows; null: none recorded there; undefined: not loaded. */
  private lookup(t: number): RecordedFrame | null | undefined {
    const w = Math.min(Math.max(Math.floor(t / this.size), 0), this.lastWindow());
    const here = this.windows.get(w);
    if (!here) return undefined;
    if (here.times.length && here.times[0] <= t) return here.frames[frameAt(here.times, t)];
    // Before this window's first frame: the previous window's last one.
    for (let v = w - 1; v >= 0; v--) {
      const before = this.windows.get(v);
      if (!before) return here.frames[0] ?? undefined;
      if (before.frames.length) return before.frames[before.frames.length - 1];
    }
    return here.frames[0] ?? null;
  }

  /** The time of the frame `delta` frames from the one at `t`, over the loaded neighbouring windows. */
  step(t: number, delta: number, fps: number): number {
    const w = Math.floor(t / this.size);
    const times: number[] = [];
    for (const v of [w - 1, w, w + 1]) times.push(...(this.windows.get(v)?.times ?? []));
    if (times.length === 0) return t + delta / Math.max(fps, 1);
    return stepFrame(times, t, delta);
  }

  dispose(): void {
    for (const abort of this.inflight.values()) abort.abort();
    this.inflight.clear();
    this.windows.clear();
    this.listeners.clear();
  }
}
