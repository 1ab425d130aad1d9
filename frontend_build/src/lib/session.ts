/**
 * One stream tile's engine: camera, capture loop, flow control, stats and latest pose.
 * React reads it a few times a second; the capture loop and the drawing never wait on React.
 */
import { listCameras, mirrorByDefault, openCamera } from "./cameras";
import { FrameEncoder } from "./encoder";
import { FlowControl, Pacer } from "./flow";
import { captureSize, qualityPreset, smoothingParams, type QualityPreset } from "./presets";
import type { PoseConnection, StreamPhase } from "./protocol";
import { StreamStats } from "./stats";
import type { PoseMessage, StartOptions, WireError } from "./types";

export type TileStatus =
  "opening" | "starting" | "waiting" | "live" | "stalled" | "paused" | "reconnecting" | "error";

export interface TileSettings {
  camera: string;
  fps: number;
  quality: QualityPreset["id"];
  mirror: boolean;
  smoothing: boolean;
  /** 0..1 */
  strength: number;
}

/** A pose older than this no longer counts as live (and is no longer drawn). */
export const LIVE_MS = 2000;
/** Errors that concern one frame: the frame got no answer, so free its flow-control slot. */
const FRAME_ERRORS = new Set<WireError["code"]>([
  "BAD_FRAME",
  "FRAME_TOO_LARGE",
  "RATE_LIMITED",
  "UNKNOWN_STREAM",
  "BAD_REQUEST",
]);

const ENCODE_ERROR = "could not encode a frame";

export function readableError(error: WireError): string {
  const text: Partial<Record<WireError["code"], string>> = {
    RATE_LIMITED: "the server drops frames above its rate limit",
    FRAME_TOO_LARGE: "frames are too large for the server: pick a lower quality",
    TOO_MANY_STREAMS: "the server allows no more streams on this connection",
    ENGINE_UNAVAILABLE: "the pose engine is not ready yet; retrying",
    DISCONNECTED: "connection lost; restarting when it is back",
  };
  const lead = text[error.code];
  return lead ? `${lead} (${error.message})` : `${error.code}: ${error.message}`;
}

let counter = 0;

export function newStreamId(): string {
  counter++;
  const rand = Math.random().toString(36).slice(2, 8);
  return `cam${counter}-${rand}`;
}

export class StreamSession {
  readonly id = newStreamId();
  settings: TileSettings;
  cameraLabel = "";
  /** The latest readable error about this stream, shown next to it. */
  error: string | null = null;
  /** Set when the camera could not be opened: the tile cannot stream at all. */
  cameraError: string | null = null;
  mediaStream: MediaStream | null = null;
  latestPose: PoseMessage | null = null;
  latestPoseAt = 0;
  /** The pose the overlay last drew (the test reads it to find the skeleton's pixels). */
  drawnPose: PoseMessage | null = null;
  running = true;
  stats: StreamStats;
  readonly flow: FlowControl;
  readonly pacer: Pacer;
  size: [number, number] = [0, 0];
  private phase: StreamPhase = "starting";
  private phaseSince = 0;
  private video: HTMLVideoElement | null = null;
  private seq = 0;
  private pendingTick = false;
  private timerMode = false;
  private loop = 0;
  private restartTimer: ReturnType<typeof setTimeout> | undefined;
  private watchdog: ReturnType<typeof setInterval> | undefined;
  private lastTick = 0;
  private disposed = false;
  /** Set once the person toggles the mirror; until then it follows the camera's facing. */
  private mirrorChosen = false;
  private unsubscribe: Array<() => void> = [];
  private changed = new Set<() => void>();

  constructor(
    private readonly connection: PoseConnection,
    private readonly encoder: FrameEncoder,
    settings: Partial<TileSettings> = {},
  ) {
    this.settings = {
      camera: "facing:user",
      fps: 15,
      quality: "medium",
      mirror: true,
      smoothing: false,
      strength: 0.5,
      ...settings,
    };
    this.stats = new StreamStats(performance.now());
    this.flow = new FlowControl(connection.limits?.max_in_flight ?? 2);
    this.pacer = new Pacer(this.settings.fps);
    this.unsubscribe.push(
      connection.on("pose", (pose) => pose.stream_id === this.id && this.onPose(pose)),
      connection.on("error", (error) => error.stream_id === this.id && this.onError(error)),
      connection.on("phase", (id, phase, error) => id === this.id && this.onPhase(phase, error)),
    );
  }

  /** Called when something a listener shows changed outside the regular refresh. */
  subscribe(listener: () => void): () => void {
    this.changed.add(listener);
    return () => this.changed.delete(listener);
  }

  private notify(): void {
    for (const listener of this.changed) listener();
  }

  get status(): TileStatus {
    if (this.cameraError) return "error";
    if (!this.mediaStream) return "opening";
    if (!this.running) return "paused";
    if (this.connection.status !== "connected") return "reconnecting";
    if (this.phase === "failed") return "error";
    if (this.phase !== "running") return "starting";
    if (this.latestPoseAt <= this.phaseSince) return "waiting";
    return performance.now() - this.latestPoseAt < LIVE_MS ? "live" : "stalled";
  }

  get landmarkCount(): number {
    return this.latestPose?.persons[0]?.landmarks.length ?? 0;
  }

  // -- camera -----------------------------------------------------------------
  async open(): Promise<void> {
    this.cameraError = null;
    this.notify();
    try {
      const stream = await openCamera(this.settings.camera);
      if (this.disposed) {
        stream.getTracks().forEach((t) => t.stop());
        return;
      }
      this.mediaStream?.getTracks().forEach((t) => t.stop());
      this.mediaStream = stream;
      const track = stream.getVideoTracks()[0];
      // Fake devices are labelled with a file path: show its last part.
      this.cameraLabel = (track?.label ?? "camera").split("/").pop() || "camera";
      const { deviceId, facingMode } = track?.getSettings() ?? {};
      if (!this.mirrorChosen) {
        // Mirror front cameras, as people expect; never a rear one.
        this.settings.mirror = facingMode
          ? facingMode === "user"
          : mirrorByDefault(this.settings.camera, track?.label);
      }
      if (deviceId && this.settings.camera.startsWith("facing:")) {
        // Pin the device that facingMode picked, so the choice shows in the list.
        const known = (await listCameras()).some((c) => c.id === `device:${deviceId}`);
        if (known) this.settings = { ...this.settings, camera: `device:${deviceId}` };
      }
      if (this.video) this.bindVideo(this.video);
      if (this.running) this.connection.start(this.id, this.startOptions());
    } catch (err) {
      this.cameraError = (err as Error).message;
    }
    this.notify();
  }

  /** The tile's <video> element: the camera plays there and frames are captured from it. */
  attach(video: HTMLVideoElement | null): void {
    if (video === this.video) return;
    this.video = video;
    if (video) this.bindVideo(video);
  }

  private bindVideo(video: HTMLVideoElement): void {
    if (video.srcObject !== this.mediaStream) video.srcObject = this.mediaStream;
    video.muted = true;
    video.playsInline = true;
    void video.play().catch(() => undefined);
    this.scheduleCapture();
    if (this.watchdog === undefined) {
      // Video frame callbacks stop where the video is not rendered (a hidden tab, some
      // headless setups): after a second without one, pace captures with a timer.
      this.watchdog = setInterval(() => {
        if (!this.timerMode && this.running && performance.now() - this.lastTick > 1000) {
          this.timerMode = true;
          this.loop++;
          this.pendingTick = false;
          this.scheduleCapture();
        }
      }, 500);
    }
  }

  // -- capture ----------------------------------------------------------------
  private scheduleCapture(): void {
    const video = this.video;
    if (!video || this.disposed || this.pendingTick) return;
    const loop = this.loop;
    const tick = (_now?: number, frame?: VideoFrameCallbackMetadata) => {
      if (loop !== this.loop) return; // a callback of the loop the watchdog replaced
      this.pendingTick = false;
      this.lastTick = performance.now();
      this.capture(frame?.captureTime);
      this.scheduleCapture();
    };
    this.pendingTick = true;
    if (!this.timerMode && "requestVideoFrameCallback" in video) {
      video.requestVideoFrameCallback(tick);
    } else {
      this.timerMode = true;
      setTimeout(tick, Math.max(4, this.pacer.delay(performance.now())));
    }
  }

  /** `cameraTime`: when the camera took the frame (from a video frame callback, if known). */
  private capture(cameraTime?: number): void {
    const video = this.video;
    const now = performance.now();
    if (!video || this.disposed || !this.running || video.readyState < 2 || !video.videoWidth) return;
    if (!this.connection.isRunning(this.id) || !this.pacer.ready(now)) return;
    this.pacer.mark(now);
    if (!this.flow.canSend(now)) {
      this.stats.skipped++;
      return;
    }
    const limits = this.connection.limits ?? { max_width: 1920, max_height: 1920 };
    const [width, height] = captureSize(video.videoWidth, video.videoHeight, limits);
    this.size = [width, height];
    const seq = this.seq++;
    // capture_ts is epoch milliseconds; timeOrigin + a performance.now() time keeps
    // sub-millisecond precision. The camera's own capture time (when the browser gives
    // it) makes latency glass-to-pose rather than from our capture decision.
    const taken = cameraTime !== undefined && cameraTime <= now && now - cameraTime < 1000 ? cameraTime : now;
    const captureTs = performance.timeOrigin + taken;
    this.flow.sent(seq, now);
    this.encoder
      .encode(video, width, height, qualityPreset(this.settings.quality).quality)
      .then((jpeg) => {
        const bytes = jpeg.byteLength;
        const sentAt = performance.now();
        if (this.connection.sendFrame(this.id, seq, captureTs, jpeg)) {
          this.stats.frameSent(sentAt, bytes, sentAt - now);
          if (this.error?.startsWith(ENCODE_ERROR)) this.error = null;
        } else {
          this.flow.answered(seq);
        }
      })
      .catch((err: Error) => {
        this.flow.answered(seq);
        this.error = `${ENCODE_ERROR}: ${err.message}`;
      });
  }

  // -- server events ----------------------------------------------------------
  private onPose(pose: PoseMessage): void {
    const now = performance.now();
    this.flow.answered(pose.seq);
    const latency = performance.timeOrigin + now - pose.capture_ts;
    this.stats.poseReceived(now, Date.now(), latency, pose.timing.server_ms, pose.dropped);
    this.latestPose = pose;
    this.latestPoseAt = now;
    if (this.error?.startsWith("the server drops frames")) this.error = null;
  }

  private onError(error: WireError): void {
    if (FRAME_ERRORS.has(error.code)) this.flow.rejected();
    this.error = readableError(error);
    this.notify();
  }

  private onPhase(phase: StreamPhase, error?: WireError): void {
    this.phase = phase;
    this.phaseSince = performance.now();
    if (phase === "running") {
      this.flow.reset();
      this.flow.limit = this.connection.limits?.max_in_flight ?? this.flow.limit;
      this.error = null;
    } else if (error) {
      this.error = readableError(error);
    }
    this.notify();
  }

  // -- user actions -----------------------------------------------------------
  private startOptions(): StartOptions {
    return { smoothing: this.settings.smoothing ? smoothingParams(this.settings.strength) : false };
  }

  update(change: Partial<TileSettings>): void {
    const before = this.settings;
    this.settings = { ...before, ...change };
    if (change.fps !== undefined) this.pacer.setFps(change.fps);
    if (change.mirror !== undefined) this.mirrorChosen = true;
    if (change.camera !== undefined && change.camera !== before.camera) void this.open();
    const smoothingChanged =
      (change.smoothing !== undefined && change.smoothing !== before.smoothing) ||
      (change.strength !== undefined && change.strength !== before.strength && this.settings.smoothing);
    if (smoothingChanged && this.running && this.mediaStream) {
      // A slider sends many changes: restart the stream once it settles.
      clearTimeout(this.restartTimer);
      this.restartTimer = setTimeout(() => void this.connection.restart(this.id, this.startOptions()), 300);
    }
    this.notify();
  }

  setRunning(running: boolean): void {
    if (running === this.running) return;
    this.running = running;
    if (running) {
      this.stats = new StreamStats(performance.now());
      this.flow.reset();
      if (this.mediaStream) this.connection.start(this.id, this.startOptions());
    } else {
      void this.connection.stop(this.id);
    }
    this.notify();
  }

  dispose(): void {
    this.disposed = true;
    clearInterval(this.watchdog);
    clearTimeout(this.restartTimer);
    this.unsubscribe.forEach((off) => off());
    void this.connection.stop(this.id);
    this.mediaStream?.getTracks().forEach((t) => t.stop());
    this.mediaStream = null;
    this.changed.clear();
  }
}
