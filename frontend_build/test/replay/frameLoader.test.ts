import { describe, expect, it } from "vitest";
import { SessionsClient } from "../../src/replay/api";
import { FrameLoader } from "../../src/replay/frameLoader";
import { FakeSessions, settle } from "./fakeSessions";

function setup(count = 18_000, options = {}) {
  const api = new FakeSessions();
  const client = new SessionsClient("http://studio.local", null, api.fetch);
  let urls = 0;
  const revoked: string[] = [];
  const loader = new FrameLoader(count, (i, signal) => client.frame("se_1", "st_1", i, signal), {
    toUrl: () => `blob:${++urls}`,
    revoke: (u) => revoked.push(u),
    ...options,
  });
  return { api, loader, revoked };
}

describe("FrameLoader", () => {
  it("fetches the frame under the playhead first, then ahead the way it plays", async () => {
    const { api, loader } = setup(100, { ahead: 3, behind: 1, concurrency: 4 });
    loader.want(10, 1);
    await settle();
    expect(api.requests.map((r) => r.url)).toEqual([
      "/api/sessions/se_1/streams/st_1/frames/10",
      "/api/sessions/se_1/streams/st_1/frames/11",
      "/api/sessions/se_1/streams/st_1/frames/12",
      "/api/sessions/se_1/streams/st_1/frames/13",
      "/api/sessions/se_1/streams/st_1/frames/9",
    ]);
    expect(loader.shownIndex).toBe(10);
    // Playing on: the next frame is already here and shows at once.
    loader.want(11, 1);
    expect(loader.shownIndex).toBe(11);
  });

  it("latest wins: a late answer for a frame scrubbed past never replaces the frame wanted now", async () => {
    const { api, loader } = setup(100, { concurrency: 4 });
    api.holding = true;
    loader.want(10, 0);
    loader.want(50, 0);
    // 10's neighbourhood was aborted; 50 (and its neighbours) are in flight.
    expect(api.aborted).toContain("/api/sessions/se_1/streams/st_1/frames/10");
    api.release("/frames/50");
    await settle();
    expect(loader.shownIndex).toBe(50);
    loader.want(51, 0);
    loader.want(70, 0);
    api.releaseAll();
    await settle();
    expect(loader.shownIndex).toBe(70);
  });

  it("a fast scrub over a ten-minute session keeps few fetches in flight and shows where it stops", async () => {
    const { api, loader } = setup(18_000, { concurrency: 4 });
    api.holding = true;
    for (let i = 0; i < 18_000; i += 150) loader.want(i, 0);
    expect(loader.loading.length).toBeLessThanOrEqual(4);
    api.holding = false;
    api.releaseAll();
    await settle();
    expect(loader.shownIndex).toBe(17_850);
    // Far fewer fetches finished than frames passed: the rest were aborted.
    expect(api.aborted.length).toBeGreaterThan(100);
  });

  it("keeps at most `keep` frames, revoking the farthest", async () => {
    const { loader, revoked } = setup(1000, { ahead: 4, behind: 0, keep: 6 });
    for (const i of [0, 5, 10]) {
      loader.want(i, 1);
      await settle();
    }
    expect(revoked.length).toBeGreaterThan(0);
    expect(loader.has(10)).toBe(true);
    expect(loader.has(0)).toBe(false);
  });

  it("ignores indices outside the stream", async () => {
    const { api, loader } = setup(10);
    loader.want(-1);
    loader.want(10);
    await settle();
    expect(api.requests).toEqual([]);
  });
});
