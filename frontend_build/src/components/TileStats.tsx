import type { StreamSession } from "../lib/session";
import type { StatsSnapshot } from "../lib/stats";
import { Sparkline } from "./Sparkline";

const fmt = (value: number | null, digits = 0) => (value === null ? "–" : value.toFixed(digits));

/** A tile's figures: transport, rates, latencies, counts, and the latency sparkline. */
export function TileStats({
  session,
  stats,
  highlight,
}: {
  session: StreamSession;
  stats: StatsSnapshot;
  highlight: number | null;
}) {
  return (
    <>
      <dl className="stats">
        <Stat
          label="Transport"
          testId="transport"
          value={session.transport === "webrtc" ? "WebRTC" : "Socket.IO"}
          hint={session.fallbackReason ? `WebRTC unavailable: ${session.fallbackReason}` : undefined}
        />
        <Stat label="Poses/s" testId="pose-fps" value={fmt(stats.posesPerSecond, 1)} />
        <Stat label="Latency p50" testId="latency-ms" value={fmt(stats.latencyP50)} unit="ms" />
        <Stat label="Server p50" testId="server-ms" value={fmt(stats.serverP50, 1)} unit="ms" />
        <Stat
          label="Encode p50"
          testId="encode-ms"
          value={fmt(stats.encodeP50)}
          unit="ms"
          hint="capture and JPEG encoding in the browser"
        />
        <Stat label="Landmarks" testId="landmark-count" value={String(session.view.landmarkCount)} />
        <Stat label="Sent" testId="frames-sent" value={String(stats.framesSent)} />
        <Stat
          label="Dropped"
          testId="dropped"
          value={String(stats.serverDropped)}
          hint="frames the server dropped (a newer one replaced them, or over its rate limit)"
        />
        <Stat
          label="Skipped"
          testId="skipped"
          value={String(stats.skipped)}
          hint="captures skipped in the browser while max_in_flight frames were unanswered"
        />
      </dl>
      <div className="spark-row">
        <Sparkline
          points={session.view.stats.history}
          now={Date.now()}
          highlight={highlight}
          label={`Latency over the last minute, p50 ${fmt(stats.latencyP50)} ms`}
        />
        <span className="spark-caption">latency, last 60 s (line: 100 ms)</span>
      </div>
    </>
  );
}

function Stat({
  label,
  value,
  unit,
  testId,
  hint,
}: {
  label: string;
  value: string;
  unit?: string;
  testId: string;
  hint?: string;
}) {
  return (
    <div className="stat" title={hint}>
      <dt>{label}</dt>
      <dd>
        <span data-testid={testId}>{value}</span>
        {unit && <small> {unit}</small>}
      </dd>
    </div>
  );
}
