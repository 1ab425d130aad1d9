/**
 * Client-side flow control: at most `limit` frames unanswered, paced to the chosen rate.
 *
 * The server keeps only the newest frame per stream and answers it, so a pose for seq N
 * also settles every older frame still in flight (those were superseded there). Frames
 * the server drops without an answer (rate limit) expire after `timeoutMs`, so a lost
 * frame never blocks the stream for good. Nothing queues in the browser: when the
 * limit is reached the capture is skipped, not deferred.
 */
export class FlowControl {
  private inFlight = new Map<number, number>();
  expired = 0;

  constructor(
    public limit = 2,
    readonly timeoutMs = 2000,
  ) {}

  get pending(): number {
    return this.inFlight.size;
  }

  canSend(now: number): boolean {
    this.expire(now);
    return this.inFlight.size < this.limit;
  }

  sent(seq: number, now: number): void {
    this.inFlight.set(seq, now);
  }

  /** A pose for `seq` arrived: that frame and every older one are settled. */
  answered(seq: number): void {
    for (const s of [...this.inFlight.keys()]) if (s <= seq) this.inFlight.delete(s);
  }

  /** The server rejected a frame of this stream (errors carry no seq): free the oldest. */
  rejected(): void {
    const oldest = Math.min(...this.inFlight.keys());
    if (Number.isFinite(oldest)) this.inFlight.delete(oldest);
  }

  reset(): void {
    this.inFlight.clear();
  }

  private expire(now: number): void {
    for (const [seq, at] of this.inFlight) {
      if (now - at >= this.timeoutMs) {
        this.inFlight.delete(seq);
        this.expired++;
      }
    }
  }
}

/**
 * Credits: latest frame wins in the browser. A stream started with `credits` may have sent
 * `granted` frames in all (a running total from the server: the start reply, each pose,
 * `credit` events), the next at the stream's turn on the server (about one round trip
 * before a worker can take it). A capture without a credit is skipped, and the newest
 * frame goes as soon as one comes, so no frame is uploaded only to be superseded there.
 * After `stallMs` without a grant while out of credits, one is assumed (a frame lost
 * before the server saw it); 5 s, since at saturation a turn may take a second or two.
 */
export class Credits {
  granted = 0;
  sent = 0;
  stalls = 0;
  private lastGrant = 0;

  constructor(readonly stallMs = 5000) {}

  reset(granted: number, now: number): void {
    this.granted = granted;
    this.sent = 0;
    this.lastGrant = now;
  }

  /** A running total from the server; true when it grants something new. */
  grant(total: number, now: number): boolean {
    if (total <= this.granted) return false;
    this.granted = total;
    this.lastGrant = now;
    return true;
  }

  canSend(now: number): boolean {
    if (this.sent < this.granted) return true;
    if (now - this.lastGrant < this.stallMs) return false;
    this.stalls++;
    this.grant(this.sent + 1, now);
    return true;
  }

  spend(): void {
    this.sent++;
  }

  /** A frame counted as sent did not go out after all (encoding failed, the connection dropped). */
  refund(): void {
    this.sent = Math.max(0, this.sent - 1);
  }
}

/**
 * Paces captures to `fps`. Video frame callbacks jitter by a few ms, so a capture may
 * come up to `slackMs` early, and the schedule advances by whole intervals to keep
 * the average rate instead of drifting late.
 */
export class Pacer {
  private nextAt = -Infinity;

  constructor(
    private fps: number,
    readonly slackMs = 6,
  ) {}

  get intervalMs(): number {
    return 1000 / this.fps;
  }

  setFps(fps: number): void {
    this.fps = fps;
  }

  /** Milliseconds until the next capture is due (0 when it is due now). */
  delay(now: number): number {
    return Math.max(0, this.nextAt - this.slackMs - now);
  }

  ready(now: number): boolean {
    return now >= this.nextAt - this.slackMs;
  }

  mark(now: number): void {
    const interval = this.intervalMs;
    this.nextAt = now - this.nextAt > interval ? now + interval : this.nextAt + interval;
  }
}
