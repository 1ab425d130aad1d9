import { useRef, type PointerEvent } from "react";
import { fraction, formatTime, spanBetween, timeAtX, type Span } from "./timeline";

/** A mark on the timeline: an annotation, a repetition or a span out of view. */
export interface Mark {
  key: string;
  kind: "annotation" | "repetition" | "out_of_view";
  ts: number;
  end_ts?: number | null;
  label: string;
}

/**
 * The timeline: the playhead, the clip range, and the session's marks (clicking one
 * seeks to it). Press and drag scrubs; shift-drag selects a range.
 */
export function Timeline({
  duration,
  t,
  range,
  marks,
  onSeek,
  onRange,
}: {
  duration: number;
  t: number;
  range: Span | null;
  marks: readonly Mark[];
  onSeek: (t: number) => void;
  onRange: (range: Span | null) => void;
}) {
  const barRef = useRef<HTMLDivElement>(null);
  const drag = useRef<{ from: number; selecting: boolean } | null>(null);

  const at = (e: PointerEvent) => {
    const rect = barRef.current!.getBoundingClientRect();
    return timeAtX(e.clientX, rect.left, rect.width, duration);
  };
  const down = (e: PointerEvent<HTMLDivElement>) => {
    if (e.button !== 0) return;
    e.currentTarget.setPointerCapture?.(e.pointerId);
    const time = at(e);
    drag.current = { from: time, selecting: e.shiftKey };
    if (!e.shiftKey) onSeek(time);
  };
  const move = (e: PointerEvent<HTMLDivElement>) => {
    const d = drag.current;
    if (!d) return;
    const time = at(e);
    if (d.selecting) onRange(spanBetween(d.from, time, duration));
    else onSeek(time);
  };
  const up = () => {
    drag.current = null;
  };
  const pct = (v: number) => `${(fraction(v, duration) * 100).toFixed(3)}%`;

  return (
    <div className="timeline" data-testid="timeline">
      <div
        ref={barRef}
        className="timeline-bar"
        data-testid="timeline-bar"
        role="slider"
        tabIndex={-1}
        aria-label="Playhead"
        aria-valuemin={0}
        aria-valuemax={duration}
        aria-valuenow={Number(t.toFixed(2))}
        aria-valuetext={formatTime(t)}
        onPointerDown={down}
        onPointerMove={move}
        onPointerUp={up}
        onPointerCancel={up}
      >
        {range && (
          <div
            className="timeline-range"
            data-testid="timeline-range"
            style={{ left: pct(range.from), width: `calc(${pct(range.to)} - ${pct(range.from)})` }}
          />
        )}
        <div className="timeline-played" style={{ width: pct(t) }} />
        {marks.map((m) => {
          const span = m.end_ts != null && m.end_ts > m.ts;
          return (
            <button
              key={m.key}
              type="button"
              className={`mark mark-${m.kind}${span ? " mark-span" : ""}`}
              data-testid={`mark-${m.kind}`}
              data-ts={m.ts}
              title={`${m.label} · ${formatTime(m.ts)}`}
              aria-label={`${m.label} at ${formatTime(m.ts)}: seek there`}
              style={{
                left: pct(m.ts),
                width: span ? `calc(${pct(m.end_ts!)} - ${pct(m.ts)})` : undefined,
              }}
              onPointerDown={(e) => e.stopPropagation()}
              onClick={() => onSeek(m.ts)}
            />
          );
        })}
        <div className="timeline-head" data-testid="timeline-head" style={{ left: pct(t) }} />
      </div>
      <div className="timeline-legend" aria-hidden="true">
        <span className="legend legend-annotation">annotation</span>
        <span className="legend legend-repetition">repetition</span>
        <span className="legend legend-out_of_view">out of view</span>
        {range && (
          <span className="legend legend-range" data-testid="range-readout">
            clip {formatTime(range.from)}–{formatTime(range.to)}
          </span>
        )}
      </div>
    </div>
  );
}
