/** Rolling statistics: percentiles and rates over the last seconds, per stream. */

/** Linear-interpolated percentile (p in 0..100) of unsorted values; null when empty. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (Math.min(100, Math.max(0, p)) / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
}

/** Timestamped samples kept for `windowMs`; times in milliseconds, any monotonic clock. */
export class TimeWindow {
  private times: number[] = [];
  private values: number[] = [];

  constructor(
    readonly windowMs: number,
    private readonly since: number = 0,
  ) {}

  add(now: number, value = 0): void {
    this.times.push(now);
    this.values.push(value);
    this.prune(now);
  }

  private prune(now: number): void {
    let cut = 0;
    while (cut < this.times.length && this.times[cut] <= now - this.windowMs) cut++;
    if (cut > 0) {
      this.times.splice(0, cut);
      this.values.splice(0, cut);
    }
  }

  count(now: number): number {
    this.prune(now);
    return this.times.length;
  }

  /**
   * Events per second over the window, or over the time since `since` when that is
   * shorter (a stream 0.5 s old with 5 poses runs at 10/s, not 5/3 s).
   */
  rate(now: number): number {
    const n = this.count(now);
    const span = Math.max(250, Math.min(this.windowMs, now - this.since));
    return (n * 1000) / span;
  }

  percentile(now: number, p: number): number | null {
    this.prune(now);
    return percentile(this.values, p);
  }

  mean(now: number): number | null {
    this.prune(now);
    if (this.values.length === 0) return null;
    return this.values.reduce((a, b) => a + b, 0) / this.values.length;
  }
}

export interface StatsSnapshot {
  framesSent: number;
  posesPerSecond: number;
  sentPerSecond: number;
  latencyP50: number | null;
  serverP50: number | null;
  encodeP50: number | null;
  bytesPerFrame: number | null;
  serverDropped: number;
  skipped: number;
}

/** One stream's counters; `now` is `performance.now()`-like, latency is capture to answer. */
export class StreamStats {
  framesSent = 0;
  serverDropped = 0;
  /** Captures skipped in the browser because `max_in_flight` frames were unanswered. */
  skipped = 0;
  private sent: TimeWindow;
  private latency: TimeWindow;
  private server: TimeWindow;
  private bytes: TimeWindow;
  private encode: TimeWindow;
  /** (epoch ms, latency ms) for the sparkline, newest last. */
  readonly history: Array<[number, number]> = [];

  constructor(
    now: number,
    readonly windowMs = 5000,
    readonly historyMs = 60_000,
  ) {
    this.sent = new TimeWindow(windowMs, now);
    this.latency = new TimeWindow(windowMs, now);
    this.server = new TimeWindow(windowMs, now);
    this.bytes = new TimeWindow(windowMs, now);
    this.encode = new TimeWindow(windowMs, now);
  }

  /** A frame went out: its JPEG size and how long capture + encode took. */
  frameSent(now: number, bytes: number, encodeMs = 0): void {
    this.framesSent++;
    this.sent.add(now);
    this.bytes.add(now, bytes);
    this.encode.add(now, encodeMs);
  }

  poseReceived(now: number, epochNow: number, latencyMs: number, serverMs: number, dropped: number): void {
    this.latency.add(now, latencyMs);
    this.server.add(now, serverMs);
    this.serverDropped = dropped;
    this.history.push([epochNow, latencyMs]);
    while (this.history.length > 0 && this.history[0][0] < epochNow - this.historyMs) {
      this.history.shift();
    }
  }

  snapshot(now: number): StatsSnapshot {
    return {
      framesSent: this.framesSent,
      posesPerSecond: this.latency.rate(now),
      sentPerSecond: this.sent.rate(now),
      latencyP50: this.latency.percentile(now, 50),
      serverP50: this.server.percentile(now, 50),
      encodeP50: this.encode.percentile(now, 50),
      bytesPerFrame: this.bytes.mean(now),
      serverDropped: this.serverDropped,
      skipped: this.skipped,
    };
  }
}
