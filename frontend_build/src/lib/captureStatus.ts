/** What the phone's capture view says: one word and, where it helps, one sentence. */
import type { ConnectionStatus } from "./protocol";
import type { TileStatus } from "./streamView";

export interface CaptureState {
  word: string;
  hint: string | null;
  tone: "ok" | "wait" | "bad" | "off";
}

export function captureState(
  status: TileStatus,
  connection: ConnectionStatus,
  cameraError: string | null,
): CaptureState {
  if (connection === "unauthorized")
    return {
      word: "Pairing ended",
      hint: "This phone's pairing expired or was refused: scan a new QR code in the studio (Pair a phone).",
      tone: "bad",
    };
  if (cameraError) return { word: "Camera blocked", hint: cameraError, tone: "bad" };
  switch (status) {
    case "stopped":
      return { word: "Stopped", hint: "The camera is off. Start opens it again.", tone: "off" };
    case "opening":
      return { word: "Opening camera", hint: null, tone: "wait" };
    case "reconnecting":
      return {
        word: "Reconnecting",
        hint: "The studio is out of reach; streaming resumes when it is back.",
        tone: "wait",
      };
    case "starting":
    case "waiting":
      return { word: "Starting", hint: null, tone: "wait" };
    case "live":
      return { word: "Live", hint: null, tone: "ok" };
    case "no one":
      return { word: "No one in view", hint: "Step back so your whole body is visible.", tone: "wait" };
    case "stalled":
      return {
        word: "Stalled",
        hint: "No pose for a while: the network or the server is slow.",
        tone: "wait",
      };
    case "signed out":
    case "error":
      return { word: "Error", hint: null, tone: "bad" };
  }
}
