import { useCallback, useEffect, useRef, useState } from "react";
import { summarise, type PoseStatsClient, type StatsSummary } from "../lib/poseStats";

/** A running stream as the panel lists it: its tile's name and its server-wide id (read
 * when the panel fetches: it is known only once the server started the stream). */
export interface StatsStream {
  id: string;
  label: string;
  serverId: () => string | null;
}

const WINDOW_S = 60;

type Loaded = { kind: "ok"; summary: StatsSummary } | { kind: "error"; message: string };

/**
 * Each running stream's pose statistics (range of motion per joint, time in view) as the
 * backend computes them: a part of the Ask panel that works without a language model.
 */
export function PoseStatsPanel({ client, streams }: { client: PoseStatsClient; streams: StatsStream[] }) {
  const [loaded, setLoaded] = useState<Record<string, Loaded>>({});
  const [busy, setBusy] = useState(false);
  const current = useRef(streams);
  current.current = streams;
  // Fetched again when the streams change, not at every render.
  const key = streams.map((s) => s.id).join(",");

  const refresh = useCallback(async () => {
    setBusy(true);
    const entries = await Promise.all(
      current.current.map(async (s): Promise<[string, Loaded]> => {
        const serverId = s.serverId();
        if (serverId === null) return [s.id, { kind: "error", message: "the stream has not started yet" }];
        try {
          return [s.id, { kind: "ok", summary: summarise(await client.get(serverId, WINDOW_S)) }];
        } catch (e) {
          return [s.id, { kind: "error", message: (e as Error).message }];
        }
      }),
    );
    setLoaded(Object.fromEntries(entries));
    setBusy(false);
  }, [client, key]);

  useEffect(() => void refresh(), [refresh]);

  return (
    <section className="pose-stats" data-testid="pose-stats" aria-labelledby="pose-stats-title">
      <div className="pose-stats-head">
        <h3 id="pose-stats-title">Pose statistics, last {WINDOW_S} s</h3>
        <button
          type="button"
          className="btn btn-ghost"
          data-testid="pose-stats-refresh"
          onClick={() => void refresh()}
          disabled={busy}
        >
          Refresh
        </button>
      </div>
      {streams.length === 0 && <p className="muted">Start a camera to see its statistics here.</p>}
      {streams.map((s) => {
        const got = loaded[s.id];
        return (
          <div key={s.id} className="pose-stats-stream" data-testid="pose-stats-stream" data-stream-id={s.id}>
            <h4>{s.label}</h4>
            {!got && <p className="muted">Loading…</p>}
            {got?.kind === "error" && <p className="tile-error">{got.message}</p>}
            {got?.kind === "ok" && <StatsTable summary={got.summary} />}
          </div>
        );
      })}
    </section>
  );
}

function StatsTable({ summary }: { summary: StatsSummary }) {
  const { spanSeconds, inViewSeconds, joints } = summary;
  const percent = spanSeconds > 0 ? Math.round((100 * inViewSeconds) / spanSeconds) : 0;
  return (
    <>
      <p data-testid="pose-stats-in-view">
        In view {inViewSeconds.toFixed(1)} s of {spanSeconds.toFixed(1)} s ({percent}%)
      </p>
      {joints.length === 0 ? (
        <p className="muted">No one was in view: no joint angles yet.</p>
      ) : (
        <table className="pose-stats-table">
          <caption className="sr-only">Range of motion per joint, in degrees</caption>
          <thead>
            <tr>
              <th scope="col">Joint</th>
              <th scope="col">Range</th>
              <th scope="col">Min</th>
              <th scope="col">Max</th>
            </tr>
          </thead>
          <tbody>
            {joints.map((j) => (
              <tr key={j.name} data-testid="pose-stats-joint" data-joint={j.name}>
                <th scope="row">{j.label}</th>
                <td data-testid="pose-stats-range">{j.range.toFixed(0)}°</td>
                <td>{j.min.toFixed(0)}°</td>
                <td>{j.max.toFixed(0)}°</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
