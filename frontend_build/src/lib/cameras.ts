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
