import { memo, useEffect, useRef } from "react";
import { Sparkline } from "../components/Sparkline";
import type { SessionAnalytics } from "./api";
import { formatTime } from "./timeline";

/**
 * The session's analytics (`GET /api/sessions/{id}/analytics`, the analytics engineer's):
 * range of motion per joint as bars over 0–180°, the repetitions (each seeks), intensity
 * over time as a small line, and where the hips stood as a heatmap over a frame.
 */
/** Memoised: the replay re-renders each display frame, this needs its props only. */
export const AnalyticsPanel = memo(function AnalyticsPanel({
  analytics,
  frameUrl,
  aspect,
  onSeek,
}: {
  analytics: SessionAnalytics | null | undefined;
  /** A frame of the session to draw the heatmap over (null: pose only). */
  frameUrl: string | null;
  aspect: number;
  onSeek: (t: number) => void;
}) {
  if (analytics === undefined)
    return (
      <section className="panel analytics" aria-busy="true">
        <h3>Analytics</h3>
        <p className="muted">Loading…</p>
      </section>
    );
  if (analytics === null)
    return (
      <section className="panel analytics" data-testid="analytics-unavailable">
        <h3>Analytics</h3>
        <p className="muted">This server does not compute session analytics yet.</p>
      </section>
    );
  const joints = Object.entries(analytics.range_of_motion).sort((a, b) => b[1].range_deg - a[1].range_deg);
  const { interval_s, values } = analytics.intensity;
  const span = Math.max(values.length * interval_s, interval_s) * 1000;
  const points = values.map((v, i) => [i * interval_s * 1000, v] as const);
  return (
    <section className="panel analytics" data-testid="analytics">
      <h3>Analytics</h3>
      <p className="muted">
        In view {Math.round(analytics.in_view.fraction * 100)}% ({analytics.in_view.seconds.toFixed(1)} s of{" "}
        {analytics.duration_s.toFixed(1)} s)
      </p>
      <h4>Range of motion</h4>
      <ul className="rom" data-testid="rom">
        {joints.map(([joint, r]) => (
          <li key={joint} title={`${joint}: ${r.min_deg.toFixed(0)}°–${r.max_deg.toFixed(0)}°`}>
            <span className="rom-joint">{joint.replace(/_/g, " ")}</span>
            <span className="rom-track">
              <span
                className="rom-bar"
                data-testid="rom-bar"
                style={{
                  left: `${(clampDeg(r.min_deg) / 180) * 100}%`,
                  width: `${(Math.max(clampDeg(r.max_deg) - clampDeg(r.min_deg), 0.5) / 180) * 100}%`,
                }}
              />
            </span>
            <span className="rom-value">{r.range_deg.toFixed(0)}°</span>
          </li>
        ))}
      </ul>
      <h4>Repetitions ({analytics.repetitions.length})</h4>
      {analytics.repetitions.length === 0 ? (
        <p className="muted">None counted.</p>
      ) : (
        <ol className="reps">
          {analytics.repetitions.map((r, i) => (
            <li key={i}>
              <button type="button" className="chip" data-testid="rep" onClick={() => onSeek(r.ts)}>
                {formatTime(r.ts)}–{formatTime(r.end_ts)} · {r.joint.replace(/_/g, " ")}{" "}
                {r.depth_deg.toFixed(0)}°
              </button>
            </li>
          ))}
        </ol>
      )}
      <h4>Intensity</h4>
      <Sparkline
        points={points}
        now={span}
        windowMs={span}
        floor={0.05}
        label="Movement intensity over the session"
        testId="intensity-sparkline"
      />
      <h4>Where you stood</h4>
      <Heatmap heatmap={analytics.heatmap} frameUrl={frameUrl} aspect={aspect} />
    </section>
  );
});

function clampDeg(d: number): number {
  return Math.min(Math.max(d, 0), 180);
}

function Heatmap({
  heatmap,
  frameUrl,
  aspect,
}: {
  heatmap: SessionAnalytics["heatmap"];
  frameUrl: string | null;
  aspect: number;
}) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const canvas = canvasRef.current;
    const ctx = canvas?.getContext("2d");
    if (!canvas || !ctx) return;
    const { cols, rows, values } = heatmap;
    canvas.width = cols;
    canvas.height = rows;
    ctx.clearRect(0, 0, cols, rows);
    const max = Math.max(1e-9, ...values);
    for (let r = 0; r < rows; r++)
      for (let c = 0; c < cols; c++) {
        const v = (values[r * cols + c] ?? 0) / max;
        if (v <= 0) continue;
        // Cool to hot: blue through yellow to red, more opaque where more often.
        ctx.fillStyle = `hsla(${(1 - v) * 220}, 90%, 55%, ${0.25 + 0.6 * v})`;
        ctx.fillRect(c, r, 1, 1);
      }
  }, [heatmap]);
  return (
    <div className="heatmap" style={{ aspectRatio: String(aspect) }} data-testid="heatmap">
      {frameUrl && <img src={frameUrl} alt="" />}
      <canvas ref={canvasRef} aria-label="Heatmap of where the hips were in the image" role="img" />
    </div>
  );
}
