/**
 * The T-pose calibration as the tile shows it: a countdown (time to step back and lift the
 * arms), then the server collects about two seconds of frames and answers with its verdict.
 */
import type { CalibrationVerdict } from "../types";

export type CalibrationPhase =
  | { kind: "idle" }
  | { kind: "countdown"; endsAt: number }
  | { kind: "measuring" }
  | { kind: "verdict"; verdict: CalibrationVerdict }
  | { kind: "failed"; message: string };

/** Seconds to get into the T-pose before the server starts measuring. */
export const COUNTDOWN_MS = 3000;

export class Calibration {
  phase: CalibrationPhase = { kind: "idle" };
  private timer: ReturnType<typeof setTimeout> | undefined;
  private generation = 0;

  constructor(
    /** Sends `calibrate` and resolves with the verdict. */
    private readonly request: () => Promise<CalibrationVerdict>,
    private readonly changed: () => void,
    private readonly countdownMs = COUNTDOWN_MS,
  ) {}

  get busy(): boolean {
    return this.phase.kind === "countdown" || this.phase.kind === "measuring";
  }

  /** Whole seconds left on the countdown (0 outside it). */
  secondsLeft(now: number): number {
    return this.phase.kind === "countdown" ? Math.max(0, Math.ceil((this.phase.endsAt - now) / 1000)) : 0;
  }

  start(now: number): void {
    if (this.busy) return;
    const generation = ++this.generation;
    this.phase = { kind: "countdown", endsAt: now + this.countdownMs };
    this.changed();
    this.timer = setTimeout(() => void this.measure(generation), this.countdownMs);
  }

  private async measure(generation: number): Promise<void> {
    this.phase = { kind: "measuring" };
    this.changed();
    let next: CalibrationPhase;
    try {
      next = { kind: "verdict", verdict: await this.request() };
    } catch (err) {
      next = { kind: "failed", message: (err as Error).message };
    }
    if (generation !== this.generation) return;
    this.phase = next;
    this.changed();
  }

  /** Forget a calibration in progress (the stream stopped or restarted). */
  cancel(): void {
    clearTimeout(this.timer);
    this.generation++;
    if (this.busy) {
      this.phase = { kind: "idle" };
      this.changed();
    }
  }
}

/** The sentence the tile shows for a phase. */
export function calibrationText(phase: CalibrationPhase, secondsLeft: number): string {
  switch (phase.kind) {
    case "idle":
      return "";
    case "countdown":
      return `Hold a T-pose in ${secondsLeft}…`;
    case "measuring":
      return "Hold still: measuring…";
    case "failed":
      return `Calibration failed: ${phase.message}`;
    case "verdict": {
      const v = phase.verdict;
      if (v.accepted) return `Calibrated from ${v.frames} frames`;
      const why = v.reasons.map((r) => r.message).join("; ");
      return `Calibration refused: ${why || "not a T-pose"}`;
    }
  }
}
