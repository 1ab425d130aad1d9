/**
 * A live stream's pose statistics from the backend (`GET /api/streams/{id}/stats`): range
 * of motion per joint and time in view, which need no language model. No React in here.
 */
import { AccountError, errorFrom } from "./account";

export interface JointStats {
  min: number;
  mean: number;
  max: number;
  range_of_motion: number;
  samples: number;
}

export interface PoseStats {
  id: string;
  stream_id: string;
  window_s: number;
  samples: number;
  samples_with_person: number;
  in_view_fraction: number | null;
  first_ts: number | null;
  last_ts: number | null;
  angles: Record<string, JointStats | null>;
  out_of_view: { start_ts: number; end_ts: number }[];
}

export interface StatsSummary {
  /** Seconds from the first pose in the window to the last. */
  spanSeconds: number;
  /** Of those, the seconds someone was in view. */
  inViewSeconds: number;
  /** Joints with figures, the widest range of motion first. */
  joints: { name: string; label: string; range: number; min: number; max: number }[];
}

type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

export class PoseStatsClient {
  constructor(
    private readonly baseUrl: string,
    /** The API token to present, or null: the session cookie. */
    private readonly token: string | null,
    private readonly fetcher: Fetch = (input, init) => fetch(input, init),
  ) {}

  /** The stream's statistics over the last `windowS` seconds; `serverId` is its `st_…` id. */
  async get(serverId: string, windowS: number, signal?: AbortSignal): Promise<PoseStats> {
    const base = this.baseUrl.replace(/\/$/, "");
    const url = `${base}/api/streams/${encodeURIComponent(serverId)}/stats?window=${windowS}`;
    let response: Response;
    try {
      response = await this.fetcher(url, {
        headers: this.token ? { Authorization: `Bearer ${this.token}` } : {},
        credentials: this.token ? "omit" : "include",
        signal,
      });
    } catch (e) {
      if (signal?.aborted) throw new AccountError("CANCELLED", "cancelled", 0);
      throw new AccountError("DISCONNECTED", `the server cannot be reached (${String(e)})`, 0);
    }
    const data: unknown = await response.json().catch(() => null);
    if (!response.ok) throw errorFrom(response.status, data);
    return data as PoseStats;
  }
}

/** "left_knee" → "left knee". */
export function jointLabel(name: string): string {
  return name.replace(/_/g, " ");
}

export function summarise(stats: PoseStats): StatsSummary {
  const first = stats.first_ts ?? 0;
  const last = stats.last_ts ?? first;
  const spanSeconds = Math.max(0, (last - first) / 1000);
  const away = stats.out_of_view.reduce((sum, s) => sum + Math.max(0, s.end_ts - s.start_ts), 0) / 1000;
  const joints = Object.entries(stats.angles)
    .filter((entry): entry is [string, JointStats] => entry[1] !== null)
    .map(([name, j]) => ({ name, label: jointLabel(name), range: j.range_of_motion, min: j.min, max: j.max }))
    .sort((a, b) => b.range - a.range || a.name.localeCompare(b.name));
  return {
    spanSeconds,
    inViewSeconds: stats.samples_with_person > 0 ? Math.max(0, spanSeconds - away) : 0,
    joints,
  };
}
