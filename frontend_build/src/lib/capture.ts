/**
 * The capture loop: frames from a `<video>`, paced to the chosen rate, encoded to JPEG and
 * handed to a `FrameTarget` (the stream's channel). A frame goes only against a server
 * credit (`Credits`; or, from a server without credits, while fewer than `max_in_flight`
 * are unanswered). A capture without one is skipped and counted, and the next one is taken
 * the moment a credit arrives: nothing queues in the browser and no upload is wasted.
 */
import { Credits, FlowControl, Pacer } from "./flow";
import { captureSize } from "./presets";
import type { WireError } from "./types";

/** Where captured frames go: the stream's side of the protocol. */
export interface FrameTarget {
  /** The server's size limits, once a `start` reply gave them. */
  readonly limits: { max_width: number; max_height: number } | null;
  /** Whether a frame sent now would go out (the stream runs on a live connection). */
  ready(): boolean;
  /** Sends one frame; false when it could not go out. */
  send(seq: number, captureTs: number, jpeg: ArrayBuffer): boolean;
}

/** Video to JPEG bytes (`FrameEncoder`: a worker with OffscreenCanvas, or the page's canvas). */
export interface JpegEncoder {
  encode(video: HTMLVideoElement, width: number, height: number, quality: number): Promise<ArrayBuffer>;
}

/** What the capture loop reports to the stream's view state. */
export interface CaptureEvents {
  /** A frame went out: `encodeMs` is capture to send, in the browser. */
  sent(now: number, bytes: number, encodeMs: number): void;
  /** A capture was skipped: no credit (or `max_in_flight` frames unanswered). */
  skipped(): void;
  /** Encoding failed (`error`), or worked again after a failure (null). */
  encodeFailed(error: Error | null): void;
}

/** Errors that concern one frame: the frame got no answer, so its flow-control slot is freed. */
const FRAME_ERRORS = new Set<WireError["code"]>([
  "BAD_FRAME",
  "FRAME_TOO_LARGE",
  "RATE_LIMITED",
  "UNKNOWN_STREAM",
  "BAD_REQUEST",
]);

/** A frame callback later than this means the browser stopped them (a hidden tab): use a timer. */
const WATCHDOG_MS = 1000;

export class Capture {
  readonly flow: FlowControl;
  readonly credits = new Credits();
  /** The server grants credits for this stream (its start reply said so). */
  private usingCredits = false;
  /** A capture was skipped for want of a credit: take one as soon as a credit comes. */
  private owed = false;
  readonly pacer: Pacer;
  /** JPEG quality, 0..1. */
  quality: number;
  /** The size of the frames sent last. */
  size: [number, number] = [0, 0];
  private running = false;
  private video: HTMLVideoElement | null = null;
  private seq = 0;
  private encodeFailing = false;
  private clock: FrameClock | null = null;

  constructor(
    private readonly target: FrameTarget,
    private readonly encoder: JpegEncoder,
    private readonly events: CaptureEvents,
    { fps, quality, maxInFlight }: { fps: number; quality: number; maxInFlight: number },
  ) {
    this.flow = new FlowControl(maxInFlight);
    this.pacer = new Pacer(fps);
    this.quality = quality;
  }

  /** The `<video>` frames are captured from (null: none). */
  attach(video: HTMLVideoElement | null): void {
    if (video === this.video) return;
    this.video = video;
    this.clock?.stop();
    this.clock = video ? new FrameClock(video, (t) => this.capture(performance.now(), t), this.pacer) : null;
    if (this.running) this.clock?.start();
  }

  /**
   * Capture from now on (a new stream on the server: nothing of an older one is in flight).
   * `granted`: the credits in the start reply (undefined: the server grants none).
   */
  start(maxInFlight?: number, granted?: number): void {
    this.flow.reset();
    if (maxInFlight !== undefined) this.flow.limit = maxInFlight;
    this.usingCredits = granted !== undefined;
    this.credits.reset(granted ?? 0, performance.now());
    this.owed = false;
    if (this.running) return;
    this.running = true;
    this.clock?.start();
  }

  stop(): void {
    this.running = false;
    this.clock?.stop();
    this.flow.reset();
  }

  /** A server error about this stream: a frame it concerns will not be answered. */
  serverError(code: WireError["code"]): void {
    if (FRAME_ERRORS.has(code)) this.flow.rejected();
  }

  /** The server's running total of credits for this stream grew: the newest frame may go. */
  credit(granted: number): void {
    const now = performance.now();
    if (this.credits.grant(granted, now) && this.owed && this.running) {
      this.owed = false;
      this.take(now);
    }
  }

  /** A pose for `seq` arrived: it settles that frame and every older one. */
  answered(seq: number): void {
    this.flow.answered(seq);
  }

  /**
   * One video frame. `cameraTime`: when the camera took it, from a video frame callback,
   * if the browser says. Public for the frame clock and for tests.
   */
  capture(now: number, cameraTime?: number): void {
    const video = this.video;
    if (!video || !this.running || video.readyState < 2 || !video.videoWidth) return;
    if (!this.target.ready() || !this.pacer.ready(now)) return;
    this.pacer.mark(now);
    const allowed = this.usingCredits ? this.credits.canSend(now) : this.flow.canSend(now);
    if (!allowed) {
      this.owed = this.usingCredits;
      this.events.skipped();
      return;
    }
    this.take(now, cameraTime);
  }

  /** Encode the video's current frame and send it (a credit or a window slot is held). */
  private take(now: number, cameraTime?: number): void {
    const video = this.video;
    if (!video || video.readyState < 2 || !video.videoWidth || !this.target.ready()) return;
    const limits = this.target.limits ?? { max_width: 1920, max_height: 1920 };
    const [width, height] = captureSize(video.videoWidth, video.videoHeight, limits);
    this.size = [width, height];
    const seq = this.seq++;
    // capture_ts is epoch milliseconds; timeOrigin + a performance.now() time keeps
    // sub-millisecond precision. The camera's own capture time (when the browser gives
    // it) makes latency glass-to-pose rather than from our capture decision.
    const taken = cameraTime !== undefined && cameraTime <= now && now - cameraTime < 1000 ? cameraTime : now;
    const captureTs = performance.timeOrigin + taken;
    this.flow.sent(seq, now);
    if (this.usingCredits) this.credits.spend();
    this.encoder
      .encode(video, width, height, this.quality)
      .then((jpeg) => {
        const bytes = jpeg.byteLength;
        const sentAt = performance.now();
        if (this.target.send(seq, captureTs, jpeg)) {
          this.events.sent(sentAt, bytes, sentAt - now);
          if (this.encodeFailing) this.events.encodeFailed(null);
          this.encodeFailing = false;
        } else {
          this.flow.answered(seq);
          if (this.usingCredits) this.credits.refund();
        }
      })
      .catch((err: Error) => {
        this.flow.answered(seq);
        if (this.usingCredits) this.credits.refund();
        this.encodeFailing = true;
        this.events.encodeFailed(err);
      });
  }

  close(): void {
    this.stop();
    this.attach(null);
  }
}

/**
 * Ticks once per video frame with `requestVideoFrameCallback`. Those callbacks stop where
 * the video is not rendered (a hidden tab, some headless setups): after a second without
 * one, a timer paced by the `Pacer` takes over.
 */
export class FrameClock {
  private loop = 0;
  private pending = false;
  private timerMode = false;
  private lastTick = 0;
  private watchdog: ReturnType<typeof setInterval> | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly video: HTMLVideoElement,
    private readonly tick: (cameraTime?: number) => void,
    private readonly pacer: Pacer,
  ) {}

  start(): void {
    this.stop();
    this.lastTick = performance.now();
    this.schedule();
    this.watchdog = setInterval(() => {
      if (!this.timerMode && performance.now() - this.lastTick > WATCHDOG_MS) {
        this.timerMode = true;
        this.loop++;
        this.pending = false;
        this.schedule();
      }
    }, WATCHDOG_MS / 2);
  }

  stop(): void {
    clearInterval(this.watchdog);
    clearTimeout(this.timer);
    this.watchdog = undefined;
    this.loop++;
    this.pending = false;
    this.timerMode = false;
  }

  private schedule(): void {
    if (this.pending) return;
    const loop = this.loop;
    const tick = (_now?: number, frame?: VideoFrameCallbackMetadata) => {
      if (loop !== this.loop) return; // a callback of a loop that was stopped or replaced
      this.pending = false;
      this.lastTick = performance.now();
      this.tick(frame?.captureTime);
      this.schedule();
    };
    this.pending = true;
    if (!this.timerMode && "requestVideoFrameCallback" in this.video) {
      this.video.requestVideoFrameCallback(tick);
    } else {
      this.timerMode = true;
      this.timer = setTimeout(tick, Math.max(4, this.pacer.delay(performance.now())));
    }
  }
}
