import { describe, expect, it } from "vitest";
import { PoseFollower } from "../../src/lib/poseSource";
import { SessionsClient } from "../../src/replay/api";
import { PoseTrack } from "../../src/replay/poseTrack";
import { ReplaySource, VERSION_SPAN_MS } from "../../src/replay/replaySource";
import { Playhead } from "../../src/replay/timeline";
import { FakeSessions, recording, settle } from "./fakeSessions";

const TEN_MINUTES = 600;

function setup(seconds = TEN_MINUTES, fps = 30) {
  const api = new FakeSessions(recording(seconds, fps));
  const client = new SessionsClient("http://studio.local", "tok", api.fetch);
  const track = new PoseTrack(seconds, (span, signal) => client.poses("se_1", "st_1", span, signal));
  const playhead = new Playhead(seconds);
  const source = new ReplaySource(playhead, track);
  return { api, client, track, playhead, source };
}

describe("PoseTrack", () => {
  it("loads the windows around the playhead through the poses route", async () => {
    const { api, track } = setup();
    track.want(0);
    await settle();
    expect(api.requests[0].url).toBe("/api/sessions/se_1/streams/st_1/poses?from=0&to=10");
    // Two at once, the nearest first; the next as each arrives.
    expect(api.requests.map((r) => r.url.split("?")[1])).toEqual([
      "from=0&to=10",
      "from=10&to=20",
      "from=20&to=30",
    ]);
    expect(track.isLoaded(0) && track.isLoaded(1) && track.isLoaded(2)).toBe(true);
    expect(track.frameAt(5)!.index).toBe(149);
    expect(track.frameAt(0)!.index).toBe(0);
  });

  it("keeps a frame on a window's boundary once, in the later window", async () => {
    const { track } = setup(30, 10);
    track.want(0);
    await settle();
    // 0.03 + 100/10 = 10.03: in window 1; the last frame of window 0 is 99 (9.93).
    expect(track.frameAt(10.0)!.index).toBe(99);
    expect(track.frameAt(10.03)!.index).toBe(100);
    expect(track.step(9.95, 1, 10)).toBeCloseTo(10.03);
    expect(track.step(10.03, -1, 10)).toBeCloseTo(9.93);
  });

  it("scrubbing across ten minutes aborts the fetches it left and loads only near the playhead", async () => {
    const { api, track } = setup();
    api.holding = true;
    for (let t = 0; t <= TEN_MINUTES; t += 20) track.want(t);
    await settle();
    // Every window left behind was aborted; at most two fetches are in flight, both near the end.
    expect(track.loading.length).toBeLessThanOrEqual(2);
    for (const w of track.loading) expect(w).toBeGreaterThanOrEqual(59);
    expect(api.aborted.length).toBeGreaterThan(20);
    api.holding = false;
    api.releaseAll();
    await settle();
    expect(track.frameAt(599)!.ts).toBeLessThanOrEqual(599);
    expect(track.frameAt(599)!.ts).toBeGreaterThan(598.9);
    // Nothing far from the playhead was loaded.
    expect(track.isLoaded(30)).toBe(false);
  });

  it("while the window under the playhead loads, keeps the frame shown if within a second, else none", async () => {
    const { api, track } = setup();
    track.want(9);
    await settle();
    expect(track.frameAt(9.5)!.index).toBe(284);
    api.holding = true;
    track.want(300);
    expect(track.frameAt(300)).toBeNull();
    api.holding = false;
    api.releaseAll();
    await settle();
    // The window before (ahead of it in the queue: 30, 31, 32, then 29) holds the frame at 300.
    expect(track.isLoaded(29)).toBe(true);
    expect(track.frameAt(300)!.index).toBe(8999);
  });

  it("keeps at most maxWindows in memory, dropping the farthest", async () => {
    const api = new FakeSessions(recording(600, 5));
    const client = new SessionsClient("http://x", null, api.fetch);
    const track = new PoseTrack(600, (span, signal) => client.poses("s", "k", span, signal), {
      maxWindows: 4,
    });
    for (const t of [0, 100, 200, 300, 400]) {
      track.want(t);
      await settle();
    }
    expect(track.isLoaded(40)).toBe(true);
    expect(track.isLoaded(0)).toBe(false);
  });
});

describe("ReplaySource", () => {
  it("shows the frame under the playhead, following play and seeks", async () => {
    const { track, playhead, source } = setup(60, 30);
    track.want(0);
    await settle();
    expect(source.poseAt(0)!.seq).toBe(0);
    playhead.seek(0, 2.0);
    expect(source.poseAt(0)!.seq).toBe(59);
    playhead.play(1000);
    expect(source.poseAt(2000)!.seq).toBe(89);
    expect(source.mirrored).toBe(false);
    expect(source.bones).toBeNull();
  });

  it("hands out the same object for the same frame, so the views redraw only on a change", async () => {
    const { track, playhead, source } = setup(60, 30);
    track.want(0);
    await settle();
    playhead.seek(0, 1);
    const follower = new PoseFollower(source);
    expect(follower.next(0)).not.toBeNull();
    expect(follower.next(16)).toBeNull();
    playhead.seek(16, 1.5);
    expect(follower.next(32)!.pose!.seq).toBe(44);
  });

  it("gives capture times that only grow, even scrubbing backwards or playing in reverse", async () => {
    const { track, playhead, source } = setup(60, 30);
    track.want(30);
    await settle();
    const seen: number[] = [];
    playhead.seek(0, 30);
    seen.push(source.poseAt(0)!.capture_ts);
    playhead.seek(0, 25);
    seen.push(source.poseAt(0)!.capture_ts);
    playhead.play(0, -1);
    for (let now = 0; now <= 1000; now += 100) seen.push(source.poseAt(now)!.capture_ts);
    for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeGreaterThanOrEqual(seen[i - 1]);
    // A seek jumps far beyond the avatar's longest interpolated segment (500 ms).
    expect(seen[1] - seen[0]).toBeGreaterThan(VERSION_SPAN_MS / 2);
    // Playing at 1×: consecutive frames are a frame's time apart.
    const p1 = source.poseAt(1000)!.capture_ts;
    const p2 = source.poseAt(1034)!.capture_ts;
    expect(p2 - p1).toBeCloseTo(1000 / 30, 0);
  });

  it("shows nothing where nothing is loaded", () => {
    const { source } = setup(60, 30);
    expect(source.poseAt(0)).toBeNull();
  });
});
