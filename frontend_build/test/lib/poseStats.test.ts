import { describe, expect, it } from "vitest";
import { PoseStatsClient, summarise, type PoseStats } from "../../src/lib/poseStats";

const STATS: PoseStats = {
  id: "st_1",
  stream_id: "cam1-x",
  window_s: 60,
  samples: 40,
  samples_with_person: 30,
  in_view_fraction: 0.75,
  first_ts: 1_000_000,
  last_ts: 1_012_000,
  angles: {
    left_knee: { min: 90, mean: 120, max: 170, range_of_motion: 80, samples: 30 },
    right_knee: null,
    left_elbow: { min: 40, mean: 60, max: 100, range_of_motion: 60, samples: 30 },
    right_elbow: { min: 40, mean: 60, max: 120, range_of_motion: 80, samples: 30 },
  },
  out_of_view: [
    { start_ts: 1_002_000, end_ts: 1_004_500 },
    { start_ts: 1_011_500, end_ts: 1_012_000 },
  ],
};

describe("pose statistics", () => {
  it("sums the time in view and lists the joints by range of motion", () => {
    const s = summarise(STATS);
    expect(s.spanSeconds).toBe(12);
    expect(s.inViewSeconds).toBe(9);
    expect(s.joints.map((j) => j.label)).toEqual(["left knee", "right elbow", "left elbow"]);
    expect(s.joints[0]).toMatchObject({ range: 80, min: 90, max: 170 });
  });

  it("says no time in view when no pose had a person", () => {
    const empty = { ...STATS, samples_with_person: 0, angles: {}, out_of_view: [] };
    expect(summarise(empty)).toEqual({ spanSeconds: 12, inViewSeconds: 0, joints: [] });
  });

  it("asks the stream's stats route with the token, and says the server's error", async () => {
    const asked: [string, RequestInit | undefined][] = [];
    const client = new PoseStatsClient("http://studio/", "tok", async (url, init) => {
      asked.push([url, init]);
      return url.includes("st_gone")
        ? new Response(JSON.stringify({ error: { code: "NOT_FOUND", message: "no running stream" } }), {
            status: 404,
          })
        : new Response(JSON.stringify(STATS));
    });
    expect((await client.get("st_1", 60)).id).toBe("st_1");
    expect(asked[0][0]).toBe("http://studio/api/streams/st_1/stats?window=60");
    expect(asked[0][1]?.headers).toEqual({ Authorization: "Bearer tok" });
    await expect(client.get("st_gone", 60)).rejects.toMatchObject({ code: "NOT_FOUND", status: 404 });
  });
});
