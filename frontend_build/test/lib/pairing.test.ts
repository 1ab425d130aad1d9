import { describe, expect, it } from "vitest";
import { AccountError } from "../../src/lib/account";
import { captureState } from "../../src/lib/captureStatus";
import {
  cameraAllowedHere,
  forgetPhoneToken,
  loadPhoneToken,
  pairingProblem,
  savePhoneToken,
  timeLeft,
} from "../../src/lib/pairing";
import { parseRoute, routeHash } from "../../src/lib/routes";

class MemoryStorage {
  private items = new Map<string, string>();
  get length() {
    return this.items.size;
  }
  clear() {
    this.items.clear();
  }
  getItem(key: string) {
    return this.items.get(key) ?? null;
  }
  key(i: number) {
    return [...this.items.keys()][i] ?? null;
  }
  removeItem(key: string) {
    this.items.delete(key);
  }
  setItem(key: string, value: string) {
    this.items.set(key, value);
  }
}

describe("phone pairing", () => {
  it("routes the capture page with its code, and without it after the claim", () => {
    expect(parseRoute("#/capture?code=ABCD2345")).toEqual({ page: "capture", code: "ABCD2345" });
    expect(parseRoute("#/capture")).toEqual({ page: "capture", code: "" });
    expect(routeHash({ page: "capture", code: "AB CD" })).toBe("#/capture?code=AB%20CD");
    expect(routeHash({ page: "capture", code: "" })).toBe("#/capture");
  });

  it("keeps the phone token until it expires, then forgets it", () => {
    const storage = new MemoryStorage() as unknown as Storage;
    const now = Date.parse("2026-12-02T12:00:00Z");
    savePhoneToken(storage, { token: "psp_x", expires_at: "2026-12-02T13:00:00Z", display_name: null });
    expect(loadPhoneToken(storage, now)?.token).toBe("psp_x");
    expect(loadPhoneToken(storage, now + 2 * 3600_000)).toBeNull();
    expect(storage.length).toBe(0);
    storage.setItem("poseStudio.phone", "{not json");
    expect(loadPhoneToken(storage, now)).toBeNull();
    savePhoneToken(storage, { token: "psp_y", expires_at: "2026-12-02T13:00:00Z", display_name: null });
    forgetPhoneToken(storage);
    expect(loadPhoneToken(storage, now)).toBeNull();
  });

  it("says why a claim failed, by the server's code and reason", () => {
    const bad = (reason: string) => new AccountError("BAD_PAIRING_CODE", "x", 400, { reason });
    expect(pairingProblem(bad("used"))).toMatch(/used already/);
    expect(pairingProblem(bad("expired"))).toMatch(/expired/);
    expect(pairingProblem(bad("unknown"))).toMatch(/not known/);
    expect(pairingProblem(new AccountError("RATE_LIMITED", "x", 429))).toMatch(/wait a minute/);
    expect(pairingProblem(new AccountError("DISCONNECTED", "x", 0))).toMatch(/same network/);
  });

  it("counts down the code's validity and knows where a camera is allowed", () => {
    const now = Date.parse("2026-12-02T12:00:00Z");
    expect(timeLeft("2026-12-02T12:04:05Z", now)).toBe("4:05");
    expect(timeLeft("2026-12-02T11:00:00Z", now)).toBe("0:00");
    expect(cameraAllowedHere({ protocol: "https:", hostname: "192.168.1.5" })).toBe(true);
    expect(cameraAllowedHere({ protocol: "http:", hostname: "localhost" })).toBe(true);
    expect(cameraAllowedHere({ protocol: "http:", hostname: "192.168.1.5" })).toBe(false);
  });

  it("names each capture state in one word, a refused token first", () => {
    expect(captureState("live", "unauthorized", null).word).toBe("Pairing ended");
    expect(captureState("opening", "connected", "camera permission was denied").word).toBe("Camera blocked");
    expect(captureState("stopped", "connected", null)).toMatchObject({ word: "Stopped", tone: "off" });
    expect(captureState("no one", "connected", null).hint).toMatch(/whole body/);
    expect(captureState("live", "connected", null)).toEqual({ word: "Live", hint: null, tone: "ok" });
    expect(captureState("reconnecting", "reconnecting", null).word).toBe("Reconnecting");
  });
});
