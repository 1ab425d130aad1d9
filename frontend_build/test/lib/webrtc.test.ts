import { describe, expect, it } from "vitest";
import { transportPreference, WebRTCLink, WebRTCUnavailable } from "../../src/lib/webrtc";

const events = { pose: () => undefined, error: () => undefined, failed: () => undefined };
const track = {} as MediaStreamTrack;

function answering(status: number, body: unknown) {
  const asked: Array<{ url: string; init?: RequestInit }> = [];
  const fetcher = (url: string, init?: RequestInit) => {
    asked.push({ url, init });
    return Promise.resolve(new Response(JSON.stringify(body), { status }));
  };
  return { asked, fetcher };
}

describe("WebRTCLink", () => {
  it("gives up at once when the server has WebRTC off (no peer connection is made)", async () => {
    const { asked, fetcher } = answering(200, {
      enabled: false,
      ice_servers: [],
      limits: {},
      data_channel: "pose",
    });
    const link = new WebRTCLink("http://studio.local:8000/", "tok", events, fetcher);
    const opening = link.open(track, "cam1", {}, 15);
    await expect(opening).rejects.toBeInstanceOf(WebRTCUnavailable);
    await expect(opening).rejects.toMatchObject({ code: "WEBRTC_DISABLED" });
    expect(asked.map((a) => a.url)).toEqual(["http://studio.local:8000/api/webrtc"]);
    expect((asked[0].init?.headers as Record<string, string>).Authorization).toBe("Bearer tok");
    expect(asked[0].init?.credentials).toBe("omit");
  });

  it("carries the server's error code when it refuses, and uses the cookie without a token", async () => {
    const { asked, fetcher } = answering(401, { error: { code: "UNAUTHORIZED", message: "missing token" } });
    const link = new WebRTCLink("", null, events, fetcher);
    await expect(link.open(track, "cam1", {}, 15)).rejects.toMatchObject({
      code: "UNAUTHORIZED",
      message: "missing token",
    });
    expect(asked[0].init?.credentials).toBe("include");
  });

  it("times out when the server does not answer in time", async () => {
    const link = new WebRTCLink("", null, events, () => new Promise<Response>(() => undefined));
    await expect(link.open(track, "cam1", {}, 15, 20)).rejects.toMatchObject({ code: "TIMEOUT" });
  });
});

describe("transportPreference", () => {
  it("is auto unless webrtc or socketio was chosen", () => {
    const store = (value: string | null) => ({ getItem: () => value });
    expect(transportPreference(store(null))).toBe("auto");
    expect(transportPreference(store("webrtc"))).toBe("webrtc");
    expect(transportPreference(store("socketio"))).toBe("socketio");
    expect(transportPreference(store("carrier pigeon"))).toBe("auto");
  });
});
