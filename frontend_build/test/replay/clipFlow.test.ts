import { afterEach, describe, expect, it, vi } from "vitest";
import { SessionsClient, type Clip } from "../../src/replay/api";
import { ClipFlow, type ClipState } from "../../src/replay/clipFlow";
import { FakeSessions, json } from "./fakeSessions";

const REQUEST = { session_id: "se_1", stream: "st_1", from: 2, to: 4, overlay: true };

/** The jobs engineer's clip routes as docs/sessions.md agrees them, scripted. */
function clipServer(progress: Array<Partial<Clip>>) {
  const api = new FakeSessions();
  let polls = 0;
  api.routes["POST /api/clips"] = () => json({ id: "cl_1", status: "queued" }, 202);
  api.routes["GET /api/clips/cl_1"] = () => {
    const step = progress[Math.min(polls++, progress.length - 1)];
    return json({ id: "cl_1", status: "processing", progress: 0, ...step });
  };
  api.routes["GET /api/clips/cl_1/video"] = () =>
    new Response(new Blob(["mp4"], { type: "video/mp4" }), { headers: { "Content-Type": "video/mp4" } });
  api.routes["POST /api/clips/cl_1/share"] = () => json({ token: "tk", url: "/share/tk" });
  api.routes["DELETE /api/clips/cl_1/share"] = () => new Response(null, { status: 204 });
  const client = new SessionsClient("http://studio.local", "tok", api.fetch);
  const flow = new ClipFlow(client, {
    pollMs: 1000,
    toUrl: () => "blob:clip",
    revokeUrl: () => undefined,
    origin: "http://studio.local",
  });
  const states: ClipState[] = [];
  flow.subscribe((s) => states.push(s));
  return { api, flow, states };
}

async function tick(ms: number) {
  await vi.advanceTimersByTimeAsync(ms);
}

describe("ClipFlow", () => {
  afterEach(() => vi.useRealTimers());

  it("posts the range, polls its progress to complete, then fetches the MP4 to play", async () => {
    vi.useFakeTimers();
    const { api, flow, states } = clipServer([
      { progress: 0.2 },
      { progress: 0.6 },
      { status: "complete", progress: 1, url: "/api/clips/cl_1/video" },
    ]);
    await flow.start(REQUEST);
    expect(api.requests[0]).toEqual({ method: "POST", url: "/api/clips", body: REQUEST });
    expect(flow.state.phase).toBe("rendering");
    await tick(1000);
    expect(flow.state.progress).toBeCloseTo(0.2);
    await tick(1000);
    expect(flow.state.progress).toBeCloseTo(0.6);
    await tick(1000);
    expect(flow.state).toMatchObject({
      phase: "complete",
      progress: 1,
      videoUrl: "blob:clip",
      clipId: "cl_1",
    });
    expect(api.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      "POST /api/clips",
      "GET /api/clips/cl_1",
      "GET /api/clips/cl_1",
      "GET /api/clips/cl_1",
      "GET /api/clips/cl_1/video",
    ]);
    // No more polling once complete.
    await tick(5000);
    expect(api.requests).toHaveLength(5);
    const phases = states.map((s) => s.phase);
    expect(phases).toContain("creating");
    expect(phases.at(-1)).toBe("complete");
  });

  it("takes progress pushed as `clip` events, never going back", async () => {
    vi.useFakeTimers();
    const { flow } = clipServer([{ progress: 0.1 }]);
    await flow.start(REQUEST);
    flow.receive({ id: "cl_1", status: "processing", progress: 0.7 });
    await tick(0);
    expect(flow.state.progress).toBeCloseTo(0.7);
    await tick(1000); // the poll says 0.1: older
    expect(flow.state.progress).toBeCloseTo(0.7);
    flow.receive({ id: "other", status: "complete", progress: 1 });
    expect(flow.state.phase).toBe("rendering");
    flow.receive({ id: "cl_1", status: "complete", progress: 1 });
    await tick(0);
    expect(flow.state.phase).toBe("complete");
  });

  it("says why a clip failed, from the job or from the POST", async () => {
    vi.useFakeTimers();
    const { flow } = clipServer([
      { status: "failed", error: { code: "JOB_FAILED", message: "ffmpeg is missing" } },
    ]);
    await flow.start(REQUEST);
    await tick(1000);
    expect(flow.state).toMatchObject({ phase: "failed", error: "ffmpeg is missing" });

    const refused = clipServer([]);
    refused.api.routes["POST /api/clips"] = () =>
      json({ error: { code: "FORBIDDEN", message: "viewers may not make clips" } }, 403);
    await refused.flow.start(REQUEST);
    expect(refused.flow.state).toMatchObject({ phase: "failed", error: "Your role does not allow this." });
  });

  it("keeps polling through a server blip", async () => {
    vi.useFakeTimers();
    const { api, flow } = clipServer([{ progress: 0.5 }]);
    const good = api.routes["GET /api/clips/cl_1"];
    let calls = 0;
    api.routes["GET /api/clips/cl_1"] = (url, body) =>
      calls++ === 0 ? json({ error: { code: "INTERNAL", message: "oops" } }, 503) : good(url, body);
    await flow.start(REQUEST);
    await tick(1000);
    expect(flow.state.phase).toBe("rendering");
    await tick(1000);
    expect(flow.state.progress).toBeCloseTo(0.5);
  });

  it("shares a complete clip as an absolute link, and revokes it", async () => {
    vi.useFakeTimers();
    const { api, flow } = clipServer([{ status: "complete", progress: 1 }]);
    expect(await flow.share()).toBeNull();
    await flow.start(REQUEST);
    await tick(1000);
    expect(await flow.share()).toBe("http://studio.local/share/tk");
    expect(flow.state.shareUrl).toBe("http://studio.local/share/tk");
    await flow.revoke();
    expect(flow.state.shareUrl).toBeNull();
    expect(api.requests.slice(-2).map((r) => `${r.method} ${r.url}`)).toEqual([
      "POST /api/clips/cl_1/share",
      "DELETE /api/clips/cl_1/share",
    ]);
  });

  it("a new clip replaces the one rendering (its polls stop)", async () => {
    vi.useFakeTimers();
    const { api, flow } = clipServer([{ progress: 0.3 }]);
    await flow.start(REQUEST);
    flow.reset();
    await tick(3000);
    expect(api.requests.filter((r) => r.url === "/api/clips/cl_1")).toHaveLength(0);
    expect(flow.state.phase).toBe("idle");
  });
});
