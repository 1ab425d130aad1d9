/**
 * The replay's timeline maths, without React or the DOM: the playhead's clock (play,
 * pause, speed, reverse), seeking and frame steps over a stream's frame times, the pose
 * windows to prefetch around the playhead, the clip range, and the timeline's layout.
 * Times are session seconds (docs/sessions.md "Time").
 */

/** The speeds the studio offers (J/L step through them). */
export const SPEEDS: readonly number[] = [0.25, 0.5, 1, 1.5, 2];

export function clamp(t: number, duration: number): number {
  if (!Number.isFinite(t)) return 0;
  return Math.min(Math.max(t, 0), Math.max(duration, 0));
}

/**
 * The playhead: where the replay is, at any `performance.now()` time. Playing is a
 * position and the moment it was set; nothing ticks, so any view may ask at any time.
 * A negative speed plays backwards (J). It stops by itself at either end.
 */
export class Playhead {
  private t0 = 0;
  private at0 = 0;
  private rate = 1;
  private running = false;
  /** Counts seeks, plays and speed changes: views that interpolate between poses start afresh on each. */
  version = 0;

  constructor(
    public duration: number,
    start = 0,
  ) {
    this.t0 = clamp(start, duration);
  }

  get playing(): boolean {
    return this.running;
  }

  get speed(): number {
    return this.rate;
  }

  /** The position at `now`; playing past an end stops there. */
  at(now: number): number {
    if (!this.running) return this.t0;
    const t = this.t0 + ((now - this.at0) / 1000) * this.rate;
    if ((this.rate > 0 && t >= this.duration) || (this.rate < 0 && t <= 0)) {
      this.t0 = clamp(t, this.duration);
      this.running = false;
    }
    return clamp(t, this.duration);
  }

  play(now: number, speed: number = this.rate): void {
    const t = this.at(now);
    // Play from the end again: back to the start (forwards) or the end (backwards).
    this.t0 = speed > 0 && t >= this.duration ? 0 : speed < 0 && t <= 0 ? this.duration : t;
    this.at0 = now;
    this.rate = speed;
    this.running = this.duration > 0;
    this.version++;
  }

  pause(now: number): void {
    this.t0 = this.at(now);
    this.running = false;
  }

  toggle(now: number): void {
    if (this.running) this.pause(now);
    else this.play(now, Math.abs(this.rate) || 1);
  }

  /** Change the speed keeping the direction's sign as given; the position carries on. */
  setSpeed(now: number, speed: number): void {
    this.t0 = this.at(now);
    this.at0 = now;
    this.rate = speed;
    this.version++;
  }

  seek(now: number, t: number): void {
    this.t0 = clamp(t, this.duration);
    this.at0 = now;
    this.version++;
  }
}

/**
 * J/K/L as in video editors: L plays forwards and, pressed again while playing forwards,
 * faster; J the same backwards; K pauses. Returns the speed to play at (0: pause).
 */
export function shuttle(key: "j" | "k" | "l", playing: boolean, speed: number): number {
  if (key === "k") return 0;
  const sign = key === "l" ? 1 : -1;
  const magnitude = Math.abs(speed);
  if (!playing || Math.sign(speed) !== sign) return sign * 1;
  const faster = SPEEDS.find((s) => s > magnitude) ?? SPEEDS[SPEEDS.length - 1];
  return sign * faster;
}

/** The index (into sorted `times`) of the frame shown at `t`: the last one at or before it (the first before any). */
export function frameAt(times: ArrayLike<number>, t: number): number {
  const n = times.length;
  if (n === 0) return -1;
  let lo = 0;
  let hi = n - 1;
  if (t < times[0]) return 0;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (times[mid] <= t) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** The time of the frame `delta` frames from the one shown at `t` (clamped to the first and last). */
export function stepFrame(times: ArrayLike<number>, t: number, delta: number): number {
  if (times.length === 0) return t;
  const i = Math.min(Math.max(frameAt(times, t) + delta, 0), times.length - 1);
  return times[i];
}

/** A span of session time, `from` ≤ `to`. */
export interface Span {
  from: number;
  to: number;
}

/**
 * The pose windows (fixed `size` seconds, aligned at multiples of it) that cover
 * `[t - behind, t + ahead]` within the session, nearest the playhead first: the window
 * under it, then those ahead (the way it plays), then behind.
 */
export function prefetchWindows(
  t: number,
  duration: number,
  {
    size = 10,
    ahead = 20,
    behind = 5,
    speed = 1,
  }: { size?: number; ahead?: number; behind?: number; speed?: number } = {},
): number[] {
  const [before, after] = speed < 0 ? [ahead, behind] : [behind, ahead];
  const last = Math.max(0, Math.floor(Math.max(duration, 0) / size));
  const here = Math.min(Math.floor(clamp(t, duration) / size), last);
  const lo = Math.max(0, Math.floor(clamp(t - before, duration) / size));
  const hi = Math.min(last, Math.floor(clamp(t + after, duration) / size));
  const out = [here];
  const forwards: number[] = [];
  const backwards: number[] = [];
  for (let w = here + 1; w <= hi; w++) forwards.push(w);
  for (let w = here - 1; w >= lo; w--) backwards.push(w);
  out.push(...(speed < 0 ? backwards : forwards), ...(speed < 0 ? forwards : backwards));
  return out;
}

/** The seconds window `w` covers (closed at both ends, as the poses route answers). */
export function windowSpan(w: number, size = 10): Span {
  return { from: w * size, to: (w + 1) * size };
}

/** The frame indices to load around the one shown: it first, then `ahead` the way it plays, then `behind`. */
export function framesAround(
  index: number,
  count: number,
  { ahead = 8, behind = 2, speed = 1 }: { ahead?: number; behind?: number; speed?: number } = {},
): number[] {
  if (count <= 0 || index < 0) return [];
  const dir = speed < 0 ? -1 : 1;
  const out = [index];
  for (let k = 1; k <= ahead; k++) out.push(index + dir * k);
  for (let k = 1; k <= behind; k++) out.push(index - dir * k);
  return out.filter((i) => i >= 0 && i < count);
}

/**
 * The clip range after `[` (set its start at `t`) or `]` (its end): the other end stays
 * where it was when it still makes a range, otherwise it moves to the same point, and a
 * range of nothing is none.
 */
export function setRange(range: Span | null, edge: "in" | "out", t: number, duration: number): Span | null {
  const at = clamp(t, duration);
  if (edge === "in") {
    const to = range && range.to > at ? range.to : duration;
    return to > at ? { from: at, to } : null;
  }
  const from = range && range.from < at ? range.from : 0;
  return at > from ? { from, to: at } : null;
}

/** The span between two pointer positions on the timeline (a drag), ordered. */
export function spanBetween(a: number, b: number, duration: number): Span | null {
  const [from, to] = [clamp(Math.min(a, b), duration), clamp(Math.max(a, b), duration)];
  return to > from ? { from, to } : null;
}

/** Session time under a pointer at `x` on a timeline `width` pixels wide starting at `left`. */
export function timeAtX(x: number, left: number, width: number, duration: number): number {
  if (width <= 0) return 0;
  return clamp(((x - left) / width) * duration, duration);
}

/** Where a time sits on the timeline, as a fraction 0..1 of its width. */
export function fraction(t: number, duration: number): number {
  return duration > 0 ? clamp(t, duration) / duration : 0;
}

/** `1:02.35` (minutes, seconds, hundredths); hours when the session has them. */
export function formatTime(t: number): string {
  const total = Math.max(0, Math.round(t * 100));
  const cs = total % 100;
  const s = Math.floor(total / 100) % 60;
  const m = Math.floor(total / 6000) % 60;
  const h = Math.floor(total / 360000);
  const tail = `${String(s).padStart(2, "0")}.${String(cs).padStart(2, "0")}`;
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${tail}` : `${m}:${tail}`;
}
