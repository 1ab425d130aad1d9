/**
 * One stream tile: the camera, the capture loop, the stream's channel on the shared
 * connection, and the view state, wired together, plus the person's settings and actions.
 * React reads it a few times a second; the capture loop and the views never wait on React.
 */
import { CameraFeed } from "./cameras";
import { Capture, type JpegEncoder } from "./capture";
import { Calibration } from "./avatar/calibration";
import { StreamChannel } from "./channel";
import type { PoseSource } from "./poseSource";
import { qualityPreset, smoothingParams, type QualityPreset } from "./presets";
import type { PoseConnection } from "./protocol";
import { StreamView, type TileStatus } from "./streamView";
import type { PoseMessage, StartOptions } from "./types";
import { WebRTCLink, type Transport, type TransportPreference } from "./webrtc";

/** Where a tile may stream over WebRTC: the backend and its credentials. */
export interface WebRTCConfig {
  baseUrl: string;
  /** The API token, or null: the session cookie. */
  token: string | null;
}

const UPSTREAM_POLL_MS = 1000;

export interface TileSettings {
  camera: string;
  fps: number;
  quality: QualityPreset["id"];
  mirror: boolean;
  smoothing: boolean;
  /** 0..1 */
  strength: number;
  /** The avatar view is on: the stream asks for the body model (`kinematics`). */
  avatar: boolean;
  /** The hands are on: the stream asks for them (`hands`), the overlay draws them, the avatar's fingers follow. */
  hands: boolean;
  /** The avatar's client-side smoothing, 0..1 (slerp towards the interpolated pose). */
  avatarSmoothing: number;
  /** "auto": WebRTC when the server offers it and it connects in time, else Socket.IO. */
  transport: TransportPreference;
  /** The name the person gave the tile ("": the camera's label is shown). */
  name: string;
  /** The tile's number (1, 2, …), kept across reloads (0: not numbered yet). */
  number: number;
}

let counter = 0;

function newStreamId(): string {
  counter++;
  const rand = Math.random().toString(36).slice(2, 8);
  return `cam${counter}-${rand}`;
}

export class StreamSession {
  readonly id = newStreamId();
  settings: TileSettings;
  readonly camera = new CameraFeed();
  readonly channel: StreamChannel;
  readonly capture: Capture;
  readonly view: StreamView;
  /** The pose the overlay last drew (the browser test reads it to find the skeleton's pixels). */
  drawnPose: PoseMessage | null = null;
  /** The avatar view as rendered, while it is shown (the browser test reads it). */
  avatarProbe: unknown = null;
  running = true;
  /** The T-pose calibration of the avatar's body model. */
  readonly calibration: Calibration;
  private restartTimer: ReturnType<typeof setTimeout> | undefined;
  private disposed = false;
  /** Set once the person toggles the mirror; until then it follows the camera's facing. */
  private mirrorChosen = false;
  private changed = new Set<() => void>();
  /** The transport the stream uses now (while WebRTC connects: "webrtc"). */
  transport: Transport = "socketio";
  /** Why the tile streams over Socket.IO although WebRTC was asked for (null: it does not). */
  fallbackReason: string | null = null;
  private link: WebRTCLink | null = null;
  private upstreamTimer: ReturnType<typeof setInterval> | undefined;

  constructor(
    connection: PoseConnection,
    encoder: JpegEncoder,
    settings: Partial<TileSettings> = {},
    private readonly webrtc: WebRTCConfig | null = null,
  ) {
    this.settings = {
      camera: "facing:user",
      fps: 15,
      quality: "medium",
      mirror: true,
      smoothing: false,
      strength: 0.5,
      avatar: false,
      hands: false,
      avatarSmoothing: 0.3,
      transport: "auto",
      name: "",
      number: 0,
      ...settings,
    };
    const now = performance.now();
    this.view = new StreamView(
      () => this.settings.mirror,
      now,
      () => connection.bones(this.id),
    );
    this.calibration = new Calibration(
      () => connection.calibrate(this.id),
      () => this.notify(),
    );
    this.channel = new StreamChannel(connection, this.id, {
      pose: (pose) => {
        // A reply still in flight when the person pressed Stop must not draw again.
        if (!this.running) return;
        this.capture.answered(pose.seq);
        this.view.posed(pose, performance.now());
      },
      error: (error) => {
        this.capture.serverError(error.code);
        this.view.serverError(error);
        this.notify();
      },
      credit: (granted) => this.capture.credit(granted),
      phase: (phase, error) => {
        if (phase !== "running") this.calibration.cancel();
        if (phase === "running") this.capture.start(connection.limits?.max_in_flight, this.channel.granted);
        this.view.phased(phase, error, performance.now());
        this.notify();
      },
    });
    this.capture = new Capture(
      this.channel,
      encoder,
      {
        sent: (at, bytes, encodeMs) => this.view.stats.frameSent(at, bytes, encodeMs),
        skipped: () => this.view.stats.skipped++,
        encodeFailed: (error) => this.view.encodeFailed(error),
      },
      {
        fps: this.settings.fps,
        quality: qualityPreset(this.settings.quality).quality,
        maxInFlight: connection.limits?.max_in_flight ?? 2,
      },
    );
  }

  /** What the overlay and the 3D view show. */
  get poses(): PoseSource {
    return this.view.poses;
  }

  get status(): TileStatus {
    return this.view.status(
      {
        cameraFailed: this.camera.error !== null,
        cameraOpen: this.camera.stream !== null,
        running: this.running,
        connected: this.channel.connected,
        unauthorized: this.channel.connection.status === "unauthorized",
      },
      performance.now(),
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

  /** Opens the chosen camera (again) and starts the stream; on a stopped tile, that is Start. */
  async open(): Promise<void> {
    if (!this.running) return this.setRunning(true);
    const opening = this.camera.open(this.settings.camera);
    this.notify();
    const opened = await opening;
    if (opened && !this.disposed) {
      if (!this.mirrorChosen) this.settings.mirror = opened.mirror;
      if (opened.choice !== this.settings.camera) this.settings = { ...this.settings, camera: opened.choice };
      if (this.running) this.startStream();
    }
    this.notify();
  }

  /** The tile's <video> element: the camera plays there and frames are captured from it. */
  attach(video: HTMLVideoElement | null): void {
    this.camera.show(video);
    this.capture.attach(video);
  }

  private startOptions(): StartOptions {
    return {
      smoothing: this.settings.smoothing ? smoothingParams(this.settings.strength) : false,
      ...(this.settings.avatar ? { kinematics: true } : {}),
      ...(this.settings.hands ? { hands: true } : {}),
    };
  }

  /** The server-wide id of the running stream (`st_…`), on either transport. */
  get serverId(): string | null {
    if (this.transport === "webrtc") return this.link?.stream?.id ?? null;
    return this.channel.connection.serverId(this.id);
  }

  private startStream(): void {
    if (this.webrtc && this.settings.transport !== "socketio" && this.camera.stream) {
      void this.startWebRTC(this.webrtc);
      return;
    }
    this.startSocketIO();
  }

  private startSocketIO(): void {
    this.transport = "socketio";
    this.capture.start();
    this.channel.start(this.startOptions());
    this.notify();
  }

  /** WebRTC first; Socket.IO when it is off, refused, or not connected within FALLBACK_MS. */
  private async startWebRTC(config: WebRTCConfig): Promise<void> {
    this.closeLink();
    const track = this.camera.stream?.getVideoTracks()[0];
    if (!track) return this.startSocketIO();
    const link: WebRTCLink = new WebRTCLink(config.baseUrl, config.token, {
      pose: (pose) => {
        if (!this.running || this.link !== link) return;
        this.view.posed(pose, performance.now());
      },
      error: (error) => {
        this.view.serverError(error);
        this.notify();
      },
      failed: (reason) => {
        if (this.link === link) this.fallBack(reason);
      },
    });
    this.link = link;
    this.transport = "webrtc";
    this.fallbackReason = null;
    this.view.phased("starting", undefined, performance.now());
    this.notify();
    try {
      await link.open(track, this.id, this.startOptions(), this.settings.fps);
    } catch (err) {
      if (this.link === link) this.fallBack((err as Error).message);
      return;
    }
    if (this.link !== link) return link.close();
    this.view.phased("running", undefined, performance.now());
    this.pollUpstream(link);
    this.notify();
  }

  /** WebRTC did not work out: Socket.IO, unless WebRTC was forced. */
  private fallBack(reason: string): void {
    this.closeLink();
    this.fallbackReason = reason;
    if (this.settings.transport === "webrtc") {
      this.view.phased("failed", { code: "DISCONNECTED", message: reason }, performance.now());
      this.notify();
      return;
    }
    if (this.running) this.startSocketIO();
  }

  /** The video's bytes and frames from the sender's stats, into the tile's bandwidth. */
  private pollUpstream(link: WebRTCLink): void {
    let last = { bytes: 0, frames: 0 };
    clearInterval(this.upstreamTimer);
    this.upstreamTimer = setInterval(() => {
      void link.upstream().then((now) => {
        if (!now || this.link !== link) return;
        const frames = now.frames - last.frames;
        const perFrame = frames > 0 ? (now.bytes - last.bytes) / frames : 0;
        const at = performance.now();
        for (let i = 0; i < frames; i++) this.view.stats.frameSent(at, perFrame, 0);
        last = now;
      });
    }, UPSTREAM_POLL_MS);
  }

  private closeLink(): void {
    clearInterval(this.upstreamTimer);
    this.link?.close();
    this.link = null;
  }

  update(change: Partial<TileSettings>): void {
    const before = this.settings;
    this.settings = { ...before, ...change };
    if (change.fps !== undefined) this.capture.pacer.setFps(change.fps);
    if (change.quality !== undefined) this.capture.quality = qualityPreset(change.quality).quality;
    if (change.mirror !== undefined) this.mirrorChosen = true;
    if (
      change.transport !== undefined &&
      change.transport !== before.transport &&
      this.running &&
      this.camera.stream
    ) {
      this.closeLink();
      void this.channel.stop().then(() => this.running && this.startStream());
    }
    // A stopped tile has no camera open: the new choice opens with the next Start.
    if (change.camera !== undefined && change.camera !== before.camera && this.running) void this.open();
    const startChanged =
      (change.avatar !== undefined && change.avatar !== before.avatar) ||
      (change.hands !== undefined && change.hands !== before.hands) ||
      (change.smoothing !== undefined && change.smoothing !== before.smoothing) ||
      (change.strength !== undefined && change.strength !== before.strength && this.settings.smoothing);
    if (startChanged && this.running && this.camera.stream) {
      // The protocol sets these at start; a slider sends many changes: restart once it settles.
      clearTimeout(this.restartTimer);
      this.restartTimer = setTimeout(() => {
        if (this.transport === "webrtc" && this.webrtc) void this.startWebRTC(this.webrtc);
        else void this.channel.restart(this.startOptions());
      }, 300);
    }
    this.notify();
  }

  /** Start the T-pose calibration of the avatar's body model (a countdown, then the server measures). */
  calibrate(): void {
    if (this.settings.avatar && this.running) this.calibration.start(performance.now());
  }

  /** Stop releases the camera at once and clears the views; Start opens it again. */
  async setRunning(running: boolean): Promise<void> {
    if (running === this.running) return;
    this.running = running;
    if (running) {
      this.view.started(performance.now());
      return this.open();
    }
    clearTimeout(this.restartTimer);
    this.calibration.cancel();
    this.capture.stop();
    this.closeLink();
    void this.channel.stop();
    this.camera.release();
    this.view.stopped();
    this.notify();
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.restartTimer);
    this.calibration.cancel();
    this.capture.close();
    this.closeLink();
    this.channel.close();
    this.camera.close();
    this.changed.clear();
  }
}
