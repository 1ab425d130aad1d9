/**
 * Records a teleoperation once, to replay it as a behaviour: each drive and action with
 * its time since the recording began. Repeats of the same velocity are kept only every
 * `KEEP_S` (enough for the robot service's deadman), so a still robot costs few steps.
 */
import type { BehaviourCreate, BehaviourStep } from "../lib/generated/protocol";
import type { Velocity } from "./drive";

export const KEEP_S = 0.2;
export const MAX_STEPS = 5000;

export class BehaviourRecorder {
  readonly steps: BehaviourStep[] = [];
  private startedAt: number | null = null;
  private last: { v: Velocity; t: number } | null = null;

  constructor(private readonly now: () => number = () => performance.now() / 1000) {}

  get recording(): boolean {
    return this.startedAt !== null;
  }

  start(): void {
    this.steps.length = 0;
    this.last = null;
    this.startedAt = this.now();
  }

  drive(v: Velocity): void {
    const t = this.elapsed();
    if (t === null || this.steps.length >= MAX_STEPS) return;
    const same = this.last && sameVelocity(this.last.v, v);
    if (same && t - this.last!.t < KEEP_S) return;
    this.steps.push({ t: round(t), command: { kind: "move", x: v.x, y: v.y, z: v.z } });
    this.last = { v, t };
  }

  action(name: string): void {
    const t = this.elapsed();
    if (t === null || this.steps.length >= MAX_STEPS) return;
    this.steps.push({ t: round(t), command: { kind: "action", name } });
  }

  /** The behaviour to save (ending with a stop), or null when nothing was recorded. */
  finish(name: string, model: "go2" | "g1"): BehaviourCreate | null {
    const t = this.elapsed();
    this.startedAt = null;
    if (t === null || this.steps.length === 0) return null;
    const steps = [...this.steps, { t: round(t), command: { kind: "stop" as const } }];
    return { name, models: [model], steps, description: "", licence: "CC-BY-4.0" };
  }

  private elapsed(): number | null {
    return this.startedAt === null ? null : this.now() - this.startedAt;
  }
}

function sameVelocity(a: Velocity, b: Velocity): boolean {
  return a.x === b.x && a.y === b.y && a.z === b.z;
}

function round(t: number): number {
  return Math.round(t * 1000) / 1000;
}
