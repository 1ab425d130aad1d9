/** The replay's transport: frame step, play/pause, speed, the time, and the range's In and Out. */
import { SPEEDS, formatTime, type Playhead, type Span } from "./timeline";

export function PlaybackControls({
  playhead,
  shown,
  duration,
  range,
  onStep,
  onSpeed,
  onMark,
  onClearRange,
}: {
  playhead: Playhead;
  shown: { t: number; playing: boolean; speed: number };
  duration: number;
  range: Span | null;
  onStep: (delta: number) => void;
  onSpeed: (speed: number) => void;
  onMark: (edge: "in" | "out") => void;
  onClearRange: () => void;
}) {
  const speedNow = Math.abs(shown.speed);
  return (
    <div className="replay-controls" role="toolbar" aria-label="Playback">
      <button type="button" className="btn btn-small" aria-label="Previous frame" onClick={() => onStep(-1)}>
        ◀︎|
      </button>
      <button
        type="button"
        className="btn btn-primary btn-small"
        data-testid="replay-play"
        aria-label={shown.playing ? "Pause" : "Play"}
        onClick={() => playhead.toggle(performance.now())}
      >
        {shown.playing ? "Pause" : "Play"}
      </button>
      <button type="button" className="btn btn-small" aria-label="Next frame" onClick={() => onStep(1)}>
        |▶︎
      </button>
      <label>
        Speed{" "}
        <select
          data-testid="replay-speed"
          value={SPEEDS.includes(speedNow) ? speedNow : 1}
          onChange={(e) => onSpeed(Number(e.target.value))}
        >
          {SPEEDS.map((s) => (
            <option key={s} value={s}>
              {s}×
            </option>
          ))}
        </select>
      </label>
      {shown.speed < 0 && shown.playing && <span className="pill">reverse</span>}
      <span className="replay-time" data-testid="replay-time" data-t={shown.t.toFixed(3)}>
        {formatTime(shown.t)} / {formatTime(duration)}
      </span>
      <button type="button" className="btn btn-small btn-ghost" onClick={() => onMark("in")} title="[">
        [ In
      </button>
      <button type="button" className="btn btn-small btn-ghost" onClick={() => onMark("out")} title="]">
        Out ]
      </button>
      {range && (
        <button type="button" className="btn btn-small btn-ghost" onClick={onClearRange}>
          Clear range
        </button>
      )}
      <span className="muted replay-keys">space play · ←/→ frame · J/K/L · [ ] range</span>
    </div>
  );
}
