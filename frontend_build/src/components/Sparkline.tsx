/** A small SVG line of latency over the last minute, with an optional highlighted moment. */
export function Sparkline({
  points,
  now,
  windowMs = 60_000,
  highlight,
  label,
  floor = 50,
  testId = "latency-sparkline",
}: {
  points: ReadonlyArray<readonly [number, number]>;
  now: number;
  windowMs?: number;
  highlight?: number | null;
  label: string;
  /** The smallest top of the scale (latency: 50 ms). */
  floor?: number;
  testId?: string;
}) {
  const width = 240;
  const height = 40;
  const recent = points.filter(([t]) => t >= now - windowMs);
  const max = Math.max(floor, ...recent.map(([, v]) => v)) * 1.1;
  const x = (t: number) => ((t - (now - windowMs)) / windowMs) * width;
  const y = (v: number) => height - (v / max) * height;
  // A gap of over two seconds (no poses: stopped, reconnecting) breaks the line.
  const path = recent
    .map(
      ([t, v], i) => `${i && t - recent[i - 1][0] < 2000 ? "L" : "M"}${x(t).toFixed(1)},${y(v).toFixed(1)}`,
    )
    .join("");
  const showHighlight = highlight != null && highlight >= now - windowMs && highlight <= now;
  return (
    <svg
      className="sparkline"
      viewBox={`0 0 ${width} ${height}`}
      preserveAspectRatio="none"
      role="img"
      aria-label={label}
      data-testid={testId}
    >
      <line x1="0" x2={width} y1={y(100)} y2={y(100)} className="sparkline-ref" />
      {path && <path d={path} className="sparkline-line" />}
      {showHighlight && (
        <line
          x1={x(highlight!)}
          x2={x(highlight!)}
          y1="0"
          y2={height}
          className="sparkline-highlight"
          data-testid="sparkline-highlight"
        />
      )}
    </svg>
  );
}
