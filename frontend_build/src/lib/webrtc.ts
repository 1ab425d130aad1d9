/**
 * WebRTC on the LAN (docs/protocol.md, "WebRTC"): the camera's track goes to the server as
 * video, the poses come back on the `pose` data channel (unordered, no retransmits).
 * `WebRTCLink.open` resolves once that channel is open and rejects with `WebRTCUnavailable`
 * when the server has WebRTC off, refuses the offer, or the channel has not opened within
 * `FALLBACK_MS` (a tunnel carries no UDP): the tile then streams over Socket.IO instead.
 * A link that fails later (ICE failed, or disconnected for `DISCONNECTED_MS`) says so
 * through `failed`, and the tile falls back the same way.
 * The server paces the camera: a `rate` message on the channel (the stream is served
 * slower than it sends) becomes the sender's `maxFramerate`, so the encoder skips the
 * frames the server would only decode and drop.
 */
import type { WebRTCInfo } from "./generated/protocol";
import type { PoseMessage, StartOptions, WireError } from "./types";

export type { WebRTCInfo };

/** No open data channel this long after the offer: stream over Socket.IO. */
export const FALLBACK_MS = 3000;
/** ICE "disconnected" this long counts as failed. */
export const DISCONNECTED_MS = 1000;

export type Transport = "webrtc" | "socketio";
/** "auto": WebRTC when the server offers it and it connects, else Socket.IO. */
export type TransportPreference = "auto" | Transport;

const PREFERENCE_KEY = "poseStudio.transport";

export function transportPreference(storage: Pick<Storage, "getItem"> = localStorage): TransportPreference {
  const value = storage.getItem(PREFERENCE_KEY);
  return value === "webrtc" || value === "socketio" ? value : "auto";
}

export function setTransportPreference(
  preference: TransportPreference,
  storage: Pick<Storage, "setItem"> = localStorage,
): void {
  storage.setItem(PREFERENCE_KEY, preference);
}

export class WebRTCUnavailable extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

export interface LinkEvents {
  pose(pose: PoseMessage): void;
  error(error: WireError): void;
  /** The link broke after it had opened. */
  failed(reason: string): void;
}

/** What the server's start acknowledgement said about the stream. */
export interface LinkStream {
  id: string;
  stream_id: string;
  engine: string;
  limits: Record<string, number>;
}

type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

/** Upstream video counters from the sender's stats. */
export interface Upstream {
  bytes: number;
  frames: number;
}

export class WebRTCLink {
  stream: LinkStream | null = null;
  private pc: RTCPeerConnection | null = null;
  private sender: RTCRtpSender | null = null;
  private fps = 0;
  /** The frame rate the sender keeps to now (the server's hint, at most the camera's). */
  rate: number | null = null;
  private closed = false;
  private disconnectTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly baseUrl: string,
    /** The API token to present, or null: the session cookie. */
    private readonly token: string | null,
    private readonly events: LinkEvents,
    private readonly fetcher: Fetch = (input, init) => fetch(input, init),
  ) {}

  private async request(method: string, path: string, body?: unknown): Promise<unknown> {
    const headers: Record<string, string> = {};
    if (this.token) headers.Authorization = `Bearer ${this.token}`;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const response = await this.fetcher(`${this.baseUrl.replace(/\/$/, "")}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: this.token ? "omit" : "include",
    });
    const data = (await response.json().catch(() => null)) as {
      error?: { code?: string; message?: string };
    } | null;
    if (!response.ok) {
      const code = data?.error?.code ?? "HTTP_ERROR";
      throw new WebRTCUnavailable(data?.error?.message ?? `the server answered ${response.status}`, code);
    }
    return data;
  }

  /** The server's WebRTC settings (`GET /api/webrtc`). */
  info(): Promise<WebRTCInfo> {
    return this.request("GET", "/api/webrtc") as Promise<WebRTCInfo>;
  }

  /**
   * Offers `track` with the stream's options; resolves with the start acknowledgement once
   * the pose channel is open, within `timeoutMs` of asking.
   */
  async open(
    track: MediaStreamTrack,
    streamId: string,
    options: StartOptions,
    fps: number,
    timeoutMs = FALLBACK_MS,
  ): Promise<LinkStream> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new WebRTCUnavailable(`no WebRTC connection within ${timeoutMs} ms`, "TIMEOUT")),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([this.connect(track, streamId, options, fps), timeout]);
    } catch (err) {
      this.close();
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  private async connect(
    track: MediaStreamTrack,
    streamId: string,
    options: StartOptions,
    fps: number,
  ): Promise<LinkStream> {
    const info = await this.info();
    if (!info.enabled) throw new WebRTCUnavailable("WebRTC is off on this server", "WEBRTC_DISABLED");
    const pc = new RTCPeerConnection({ iceServers: info.ice_servers as unknown as RTCIceServer[] });
    this.pc = pc;
    const channel = pc.createDataChannel(info.data_channel, { ordered: false, maxRetransmits: 0 });
    const opened = new Promise<void>((resolve) => channel.addEventListener("open", () => resolve()));
    channel.addEventListener("message", (event: MessageEvent) => this.receive(event.data));
    const sender = pc.addTransceiver(track, { direction: "sendonly" }).sender;
    this.sender = sender;
    this.fps = fps;
    const parameters = sender.getParameters();
    const kbps = Number(info.limits.max_bitrate_kbps ?? 0);
    if (parameters.encodings?.length) {
      parameters.encodings[0].maxFramerate = fps;
      if (kbps) parameters.encodings[0].maxBitrate = kbps * 1000;
      await sender.setParameters(parameters).catch(() => undefined);
    }
    pc.addEventListener("connectionstatechange", () => this.stateChanged());
    await pc.setLocalDescription(await pc.createOffer());
    await gathered(pc);
    const answer = (await this.request("POST", "/api/webrtc/offer", {
      type: "offer",
      sdp: pc.localDescription?.sdp,
      start: { stream_id: streamId, ...options },
    })) as { sdp: string; stream: LinkStream };
    if (this.closed) throw new WebRTCUnavailable("closed", "CLOSED");
    await pc.setRemoteDescription({ type: "answer", sdp: answer.sdp });
    await opened;
    this.stream = answer.stream;
    return answer.stream;
  }

  private receive(text: unknown): void {
    if (typeof text !== "string") return;
    const message = JSON.parse(text) as
      PoseMessage | { event: "error"; data: WireError } | { event: "rate"; data: { max_fps: number } };
    if ("schema" in message) this.events.pose(message);
    else if (message.event === "error") this.events.error(message.data);
    else if (message.event === "rate") void this.pace(message.data.max_fps);
  }

  /** The server's rate hint as the sender's `maxFramerate` (never above the camera's). */
  private async pace(hint: number): Promise<void> {
    const sender = this.sender;
    if (!sender || !(hint > 0)) return;
    const fps = Math.min(this.fps, hint);
    const parameters = sender.getParameters();
    if (!parameters.encodings?.length) return;
    parameters.encodings[0].maxFramerate = fps;
    await sender.setParameters(parameters).then(
      () => {
        this.rate = fps;
      },
      () => undefined,
    );
  }

  private stateChanged(): void {
    const pc = this.pc;
    if (!pc || this.closed || !this.stream) return;
    clearTimeout(this.disconnectTimer);
    if (pc.connectionState === "failed" || pc.connectionState === "closed") {
      this.events.failed(`the WebRTC connection ${pc.connectionState}`);
    } else if (pc.connectionState === "disconnected") {
      this.disconnectTimer = setTimeout(() => {
        if (!this.closed && pc.connectionState !== "connected")
          this.events.failed("the WebRTC connection dropped");
      }, DISCONNECTED_MS);
    }
  }

  /** The video bytes and frames sent so far (for the tile's bitrate). */
  async upstream(): Promise<Upstream | null> {
    if (!this.pc) return null;
    let bytes = 0;
    let frames = 0;
    (await this.pc.getStats()).forEach(
      (report: { type: string; kind?: string; bytesSent?: number; framesSent?: number }) => {
        if (report.type === "outbound-rtp" && report.kind === "video") {
          bytes += report.bytesSent ?? 0;
          frames += report.framesSent ?? 0;
        }
      },
    );
    return { bytes, frames };
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.disconnectTimer);
    this.pc?.close();
    this.pc = null;
    this.sender = null;
  }
}

/** Host candidates are gathered in milliseconds on a LAN; the offer carries them all. */
function gathered(pc: RTCPeerConnection): Promise<void> {
  if (pc.iceGatheringState === "complete") return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      if (pc.iceGatheringState === "complete") {
        pc.removeEventListener("icegatheringstatechange", done);
        resolve();
      }
    };
    pc.addEventListener("icegatheringstatechange", done);
  });
}
