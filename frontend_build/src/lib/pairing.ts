/**
 * Phone pairing, the phone's side: the claimed stream-only token kept in localStorage
 * (apart from the studio's own token) until it expires, and what to say when a code or
 * a token does not work.
 */
import { AccountError } from "./account";

const PHONE_KEY = "poseStudio.phone";

export interface PhoneToken {
  token: string;
  /** ISO time. */
  expires_at: string;
  display_name: string | null;
}

export function loadPhoneToken(storage: Storage, now: number = Date.now()): PhoneToken | null {
  const raw = storage.getItem(PHONE_KEY);
  if (!raw) return null;
  try {
    const stored = JSON.parse(raw) as PhoneToken;
    if (typeof stored.token === "string" && Date.parse(stored.expires_at) > now) return stored;
  } catch {
    // Unreadable: forgotten below.
  }
  storage.removeItem(PHONE_KEY);
  return null;
}

export function savePhoneToken(storage: Storage, token: PhoneToken): void {
  storage.setItem(PHONE_KEY, JSON.stringify(token));
}

export function forgetPhoneToken(storage: Storage): void {
  storage.removeItem(PHONE_KEY);
}

/** One sentence for a failed claim, the same the server means by its code and reason. */
export function pairingProblem(error: unknown): string {
  if (error instanceof AccountError) {
    if (error.code === "BAD_PAIRING_CODE") {
      switch (error.details.reason) {
        case "used":
          return "This code was used already. Show a new QR code in the studio (Pair a phone) and scan it.";
        case "expired":
          return "This code has expired. Show a new QR code in the studio (Pair a phone) and scan it.";
        default:
          return "This pairing code is not known. Check it, or show a new QR code in the studio.";
      }
    }
    if (error.code === "RATE_LIMITED")
      return "Too many wrong codes from this phone: wait a minute and scan again.";
    if (error.code === "DISCONNECTED")
      return "The studio cannot be reached: is this phone on the same network?";
    return `${error.code}: ${error.message}`;
  }
  return String(error);
}

/** Minutes and seconds until `expiresAt` (ISO), for the pairing dialog's countdown. */
export function timeLeft(expiresAt: string, now: number = Date.now()): string {
  const s = Math.max(0, Math.round((Date.parse(expiresAt) - now) / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

/** Whether this page may open a camera at all (browsers allow it on https and localhost only). */
export function cameraAllowedHere(loc: { protocol: string; hostname: string }): boolean {
  return loc.protocol === "https:" || ["localhost", "127.0.0.1", "[::1]", "::1"].includes(loc.hostname);
}
