import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/lib/config";

/** Just enough of a Window: an address, localStorage and history. */
function fakeWindow(href: string, stored: Record<string, string> = {}) {
  const storage = new Map(Object.entries(stored));
  const win = {
    location: { href, origin: new URL(href).origin },
    localStorage: {
      getItem: (k: string) => storage.get(k) ?? null,
      setItem: (k: string, v: string) => void storage.set(k, v),
      removeItem: (k: string) => void storage.delete(k),
    },
    history: {
      state: null,
      replaceState: (_state: unknown, _title: string, url: string) => {
        win.location.href = new URL(url, win.location.href).href;
      },
    },
  };
  return { win: win as unknown as Window, storage, location: win.location };
}

describe("loadConfig", () => {
  it("keeps the token from the address and removes it from there", () => {
    const { win, storage, location } = fakeWindow("http://studio.lan:8000/?token=s3cret&x=1#tiles");
    expect(loadConfig(win)).toEqual({ backendUrl: "http://studio.lan:8000", token: "s3cret" });
    expect(storage.get("poseStudio.token")).toBe("s3cret");
    expect(location.href).toBe("http://studio.lan:8000/?x=1#tiles");
  });

  it("uses the stored token when the address has none, and leaves the address alone", () => {
    const { win, location } = fakeWindow("http://studio.lan:8000/", { "poseStudio.token": "kept" });
    expect(loadConfig(win).token).toBe("kept");
    expect(location.href).toBe("http://studio.lan:8000/");
  });

  it("takes another backend from ?server=", () => {
    const { win } = fakeWindow("http://localhost:5173/?server=http://10.0.0.5:8000&token=t");
    expect(loadConfig(win)).toEqual({ backendUrl: "http://10.0.0.5:8000", token: "t" });
  });

  it("never hands the stored token to a backend named by a link without its own token", () => {
    const { win, storage } = fakeWindow("http://studio.lan:8000/?server=https://evil.example", {
      "poseStudio.token": "s3cret",
    });
    const config = loadConfig(win);
    expect(config.backendUrl).toBe("https://evil.example");
    expect(config.token).toBeNull();
    expect(storage.get("poseStudio.token")).toBeUndefined();
  });

  it("has no token on a first visit without one", () => {
    expect(loadConfig(fakeWindow("http://studio.lan/").win).token).toBeNull();
  });
});
