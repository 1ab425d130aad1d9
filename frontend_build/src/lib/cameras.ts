/** Camera choice: permission first (labels are empty before it), then the device list. */

export interface CameraChoice {
  /** "facing:user", "facing:environment" or "device:<deviceId>". */
  id: string;
  label: string;
}

export const FRONT: CameraChoice = { id: "facing:user", label: "Front camera" };
export const REAR: CameraChoice = { id: "facing:environment", label: "Rear camera" };

export function constraintsFor(choiceId: string): MediaTrackConstraints {
  const size = { width: { ideal: 1280 }, height: { ideal: 720 } };
  if (choiceId.startsWith("device:")) return { ...size, deviceId: { exact: choiceId.slice(7) } };
  if (choiceId === REAR.id) return { ...size, facingMode: { ideal: "environment" } };
  return { ...size, facingMode: { ideal: "user" } };
}

/** Front cameras are mirrored by default (people expect a mirror); others are not. */
export function mirrorByDefault(choiceId: string, label = ""): boolean {
  if (choiceId === REAR.id) return false;
  return !/back|rear|environment/i.test(label);
}

export async function openCamera(choiceId: string): Promise<MediaStream> {
  if (!navigator.mediaDevices?.getUserMedia) {
    throw new Error("this browser has no camera access here (cameras need https or localhost)");
  }
  try {
    return await navigator.mediaDevices.getUserMedia({ video: constraintsFor(choiceId), audio: false });
  } catch (err) {
    throw new Error(describeCameraError(err));
  }
}

export function describeCameraError(err: unknown): string {
  const name = (err as { name?: string })?.name ?? "";
  switch (name) {
    case "NotAllowedError":
      return "camera permission was denied: allow it in the address bar and try again";
    case "NotFoundError":
    case "OverconstrainedError":
      return "that camera is not available";
    case "NotReadableError":
      return "the camera is busy in another application";
    default:
      return `could not open the camera: ${(err as Error)?.message ?? String(err)}`;
  }
}

/** Video inputs with their labels; call after a getUserMedia succeeded. */
export async function listCameras(): Promise<CameraChoice[]> {
  const devices = await navigator.mediaDevices.enumerateDevices();
  return devices
    .filter((d) => d.kind === "videoinput" && d.deviceId)
    .map((d, i) => ({ id: `device:${d.deviceId}`, label: d.label || `Camera ${i + 1}` }));
}

/** What an opened camera turned out to be. */
export interface OpenedCamera {
  /** The choice to keep: a `facing:` choice is pinned to the device it picked, when listed. */
  choice: string;
  label: string;
  /** Mirror by default: front cameras yes (people expect a mirror), rear ones never. */
  mirror: boolean;
}

/**
 * One tile's camera: opens a choice, shows it in a `<video>`, and releases it (the tracks
 * stopped, so the camera's light goes off). Only the newest open counts: a camera that
 * finishes opening after another was asked for, or after `close`, is stopped again.
 */
export class CameraFeed {
  stream: MediaStream | null = null;
  label = "";
  /** Why the camera could not be opened; the tile cannot stream until it is. */
  error: string | null = null;
  private video: HTMLVideoElement | null = null;
  private generation = 0;
  private closed = false;

  /** Opens `choice` in place of the current camera; null when it failed or was superseded. */
  async open(choice: string): Promise<OpenedCamera | null> {
    const generation = ++this.generation;
    this.error = null;
    let stream: MediaStream;
    try {
      stream = await openCamera(choice);
    } catch (err) {
      if (generation === this.generation) this.error = (err as Error).message;
      return null;
    }
    if (this.closed || generation !== this.generation) {
      stop(stream);
      return null;
    }
    if (this.stream) stop(this.stream);
    this.stream = stream;
    const track = stream.getVideoTracks()[0];
    // Fake devices are labelled with a file path: show its last part.
    this.label = (track?.label ?? "camera").split("/").pop() || "camera";
    const { deviceId, facingMode } = track?.getSettings() ?? {};
    const mirror = facingMode ? facingMode === "user" : mirrorByDefault(choice, track?.label);
    let pinned = choice;
    if (deviceId && choice.startsWith("facing:")) {
      // Pin the device that facingMode picked, so the choice shows in the list.
      const known = (await listCameras()).some((c) => c.id === `device:${deviceId}`);
      if (known) pinned = `device:${deviceId}`;
    }
    if (this.video) this.show(this.video);
    return { choice: pinned, label: this.label, mirror };
  }

  /** Plays the camera in `video` (muted, inline), now and after every open. */
  show(video: HTMLVideoElement | null): void {
    this.video = video;
    if (!video) return;
    if (video.srcObject !== this.stream) video.srcObject = this.stream;
    video.muted = true;
    video.playsInline = true;
    if (this.stream) void video.play().catch(() => undefined);
  }

  /** Stops the camera now (an open still running is dropped when it completes). */
  release(): void {
    this.generation++;
    if (this.stream) stop(this.stream);
    this.stream = null;
    if (this.video) this.video.srcObject = null;
  }

  close(): void {
    this.closed = true;
    this.release();
  }
}

function stop(stream: MediaStream): void {
  stream.getTracks().forEach((t) => t.stop());
}
