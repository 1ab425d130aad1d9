/**
 * Teleoperation input: held keys and a gamepad become one velocity, sent at a fixed rate
 * while the page holds the robot's lease. No React in here.
 *
 * Keys: W/S or ↑/↓ forward and back, A/D sideways, Q/E or ←/→ turn. A gamepad's left
 * stick drives (up = forward, sideways = lateral), its right stick turns; a dead zone
 * keeps a resting stick from creeping the robot. Speeds are fractions of the robot's
 * limits; the robot service clamps again next to the robot.
 */
import type { RobotLimits } from "../lib/generated/protocol";

export interface Velocity {
  x: number;
  y: number;
  z: number;
}

export const STOPPED: Velocity = { x: 0, y: 0, z: 0 };
export const DRIVE_HZ = 15;
export const STICK_DEAD_ZONE = 0.12;
/** Keys drive at this fraction of the limits (a gamepad reaches the full limits). */
export const KEY_SPEED = 0.6;

const KEYS: Record<string, Partial<Velocity>> = {
  KeyW: { x: 1 },
  ArrowUp: { x: 1 },
  KeyS: { x: -1 },
  ArrowDown: { x: -1 },
  KeyA: { y: 1 },
  KeyD: { y: -1 },
  KeyQ: { z: 1 },
  ArrowLeft: { z: 1 },
  KeyE: { z: -1 },
  ArrowRight: { z: -1 },
};

export function isDriveKey(code: string): boolean {
  return code in KEYS;
}

/** The velocity of the keys held now (codes from `KeyboardEvent.code`). */
export function keysVelocity(held: ReadonlySet<string>, limits: RobotLimits): Velocity {
  const sum = { x: 0, y: 0, z: 0 };
  for (const code of held) {
    const k = KEYS[code];
    if (!k) continue;
    sum.x += k.x ?? 0;
    sum.y += k.y ?? 0;
    sum.z += k.z ?? 0;
  }
  return {
    x: clampUnit(sum.x) * KEY_SPEED * (limits.max_vx ?? 0.6),
    y: clampUnit(sum.y) * KEY_SPEED * (limits.max_vy ?? 0.4),
    z: clampUnit(sum.z) * KEY_SPEED * (limits.max_yaw ?? 1),
  };
}

/** One stick axis with the dead zone taken out and the rest rescaled to 0..1. */
export function axis(value: number | undefined): number {
  const v = Number.isFinite(value) ? (value as number) : 0;
  const magnitude = Math.abs(v);
  if (magnitude <= STICK_DEAD_ZONE) return 0;
  return Math.sign(v) * Math.min(1, (magnitude - STICK_DEAD_ZONE) / (1 - STICK_DEAD_ZONE));
}

/** A standard-mapping gamepad's axes (up is negative) as a velocity. */
export function gamepadVelocity(axes: readonly number[], limits: RobotLimits): Velocity {
  return {
    x: -axis(axes[1]) * (limits.max_vx ?? 0.6),
    y: -axis(axes[0]) * (limits.max_vy ?? 0.4),
    z: -axis(axes[2]) * (limits.max_yaw ?? 1),
  };
}

/** Keys and sticks together: the larger of the two on each axis. */
export function combine(a: Velocity, b: Velocity): Velocity {
  const pick = (p: number, q: number) => (Math.abs(q) > Math.abs(p) ? q : p);
  return { x: pick(a.x, b.x), y: pick(a.y, b.y), z: pick(a.z, b.z) };
}

function clampUnit(v: number): number {
  return Math.max(-1, Math.min(1, v));
}

export interface Clock {
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

const realClock: Clock = {
  setInterval: (fn, ms) => globalThis.setInterval(fn, ms),
  clearInterval: (h) => globalThis.clearInterval(h as ReturnType<typeof setInterval>),
};

/**
 * Sends `read()` every 1/`hz` s while running, zeros included: a steady stream is the
 * robot service's deadman input (no fresh command for 400 ms stops the robot) and keeps
 * the lease alive. `stop` sends one last zero.
 */
export class DriveLoop {
  private handle: unknown = null;
  private seq = 0;

  constructor(
    private readonly send: (v: Velocity, seq: number) => void,
    private readonly read: () => Velocity,
    private readonly hz: number = DRIVE_HZ,
    private readonly clock: Clock = realClock,
  ) {}

  get running(): boolean {
    return this.handle !== null;
  }

  start(): void {
    if (this.handle !== null) return;
    this.handle = this.clock.setInterval(() => this.send(this.read(), ++this.seq), 1000 / this.hz);
  }

  stop(): void {
    if (this.handle === null) return;
    this.clock.clearInterval(this.handle);
    this.handle = null;
    this.send(STOPPED, ++this.seq);
  }
}
