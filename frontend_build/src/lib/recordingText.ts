/** What the studio shows of a recording in words: tags typed as text, errors, elapsed time. */
import type { WireError } from "./types";

/** Parse "squat, coach ,, squat" into ["squat", "coach"]. */
export function parseTags(text: string): string[] {
  return [
    ...new Set(
      text
        .split(",")
        .map((t) => t.trim())
        .filter(Boolean),
    ),
  ].slice(0, 20);
}

/** A readable sentence for a recording's error. */
export function describeRecordingError(error: WireError): string {
  switch (error.code) {
    case "QUOTA_EXCEEDED":
      return `Storage quota reached: ${error.message}. Delete old sessions in the Library to record again.`;
    case "STORAGE_FAILED":
      return `Recording stopped: the storage failed (${error.message}). What was recorded until then is kept.`;
    case "SESSION_LIMIT":
      return `Recording limit reached: ${error.message}.`;
    case "SINK_BEHIND":
      return "The recorder is falling behind: the server's storage is slower than the stream.";
    case "FORBIDDEN":
      return "Your role may not record (operators and admins can).";
    case "CONFLICT":
      return `Not possible now: ${error.message}.`;
    case "UNKNOWN_STREAM":
      return "Start the stream first: only a running stream can be recorded.";
    default:
      return `${error.code}: ${error.message}`;
  }
}

export function formatElapsed(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const m = Math.floor(s / 60);
  return `${m}:${String(s % 60).padStart(2, "0")}`;
}
