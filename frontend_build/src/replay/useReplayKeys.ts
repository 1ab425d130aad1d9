/**
 * The replay's keyboard: space plays or pauses, ←/→ step a frame, J/K/L shuttle, [ and ]
 * set the range. Keys typed into a field, or with a modifier, are left alone.
 */
import { useEffect } from "react";
import { shuttle, type Playhead } from "./timeline";

export function useReplayKeys(
  playhead: Playhead,
  step: (delta: number) => void,
  markRange: (edge: "in" | "out") => void,
): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const target = e.target as HTMLElement | null;
      if (target && /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName)) return;
      if (target?.isContentEditable || e.ctrlKey || e.metaKey || e.altKey) return;
      // Space on a focused button presses that button (Play, a mark, …), not both.
      if (e.key === " " && target && /^(BUTTON|A)$/.test(target.tagName)) return;
      const now = performance.now();
      switch (e.key) {
        case " ":
          playhead.toggle(now);
          break;
        case "ArrowLeft":
          step(-1);
          break;
        case "ArrowRight":
          step(1);
          break;
        case "j":
        case "k":
        case "l": {
          const speed = shuttle(e.key, playhead.playing, playhead.speed);
          if (speed === 0) playhead.pause(now);
          else playhead.play(now, speed);
          break;
        }
        case "[":
          markRange("in");
          break;
        case "]":
          markRange("out");
          break;
        default:
          return;
      }
      e.preventDefault();
    };
    addEventListener("keydown", onKey);
    return () => removeEventListener("keydown", onKey);
  }, [playhead, step, markRange]);
}
