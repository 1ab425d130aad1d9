import { describe, expect, it } from "vitest";
import {
  DRIVE_HZ,
  DriveLoop,
  KEY_SPEED,
  STOPPED,
  axis,
  combine,
  gamepadVelocity,
  keysVelocity,
  type Clock,
  type Velocity,
} from "../../src/robots/drive";

const LIMITS = { max_vx: 0.6, max_vy: 0.4, max_yaw: 1.0, max_accel: 1.5 };

class ManualClock implements Clock {
  fn: (() => void) | null = null;
  ms = 0;
  setInterval(fn: () => void, ms: number) {
    this.fn = fn;
    this.ms = ms;
    return 1;
  }
  clearInterval() {
    this.fn = null;
  }
  tick(n = 1) {
    for (let i = 0; i < n; i++) this.fn?.();
  }
}

describe("keys", () => {
  it("W forward, A left, Q turns left, at a fraction of the limits", () => {
    expect(keysVelocity(new Set(["KeyW"]), LIMITS)).toEqual({ x: KEY_SPEED * 0.6, y: 0, z: 0 });
    const v = keysVelocity(new Set(["KeyS", "KeyA", "KeyE"]), LIMITS);
    expect(v.x).toBeCloseTo(-KEY_SPEED * 0.6);
    expect(v.y).toBeCloseTo(KEY_SPEED * 0.4);
    expect(v.z).toBeCloseTo(-KEY_SPEED);
  });

  it("opposite keys cancel and doubled keys do not add up past the limit", () => {
    expect(keysVelocity(new Set(["KeyW", "KeyS"]), LIMITS).x).toBe(0);
    expect(keysVelocity(new Set(["KeyW", "ArrowUp"]), LIMITS).x).toBeCloseTo(KEY_SPEED * 0.6);
    expect(keysVelocity(new Set(["KeyX", "Space"]), LIMITS)).toEqual(STOPPED);
  });
});

describe("gamepad", () => {
  it("has a dead zone and reaches the limits at full stick", () => {
    expect(axis(0.1)).toBe(0);
    expect(axis(-1)).toBe(-1);
    expect(axis(Number.NaN)).toBe(0);
    const v = gamepadVelocity([0, -1, 0.05, 0], LIMITS);
    expect(v).toEqual({ x: 0.6, y: -0, z: -0 });
    expect(gamepadVelocity([1, 0, -1, 0], LIMITS)).toEqual({ x: -0, y: -0.4, z: 1 });
  });

  it("never exceeds the limits, whatever the axes say", () => {
    for (let i = 0; i < 500; i++) {
      const axes = [0, 1, 2, 3].map(() => (Math.random() - 0.5) * 6);
      const v = gamepadVelocity(axes, LIMITS);
      expect(Math.abs(v.x)).toBeLessThanOrEqual(0.6);
      expect(Math.abs(v.y)).toBeLessThanOrEqual(0.4);
      expect(Math.abs(v.z)).toBeLessThanOrEqual(1);
    }
  });

  it("combines with the keys axis by axis, the larger wins", () => {
    expect(combine({ x: 0.2, y: 0, z: -0.5 }, { x: -0.4, y: 0.1, z: 0.1 })).toEqual({
      x: -0.4,
      y: 0.1,
      z: -0.5,
    });
  });
});

describe("DriveLoop", () => {
  it("sends at the fixed rate with rising seqs, zeros included, and a zero on stop", () => {
    const clock = new ManualClock();
    const sent: Array<[Velocity, number]> = [];
    let current: Velocity = STOPPED;
    const loop = new DriveLoop(
      (v, seq) => sent.push([v, seq]),
      () => current,
      DRIVE_HZ,
      clock,
    );
    loop.start();
    loop.start(); // once only
    expect(clock.ms).toBeCloseTo(1000 / 15);
    clock.tick(2);
    current = { x: 0.3, y: 0, z: 0 };
    clock.tick();
    loop.stop();
    expect(loop.running).toBe(false);
    expect(sent.map(([v]) => v.x)).toEqual([0, 0, 0.3, 0]);
    expect(sent.map(([, seq]) => seq)).toEqual([1, 2, 3, 4]);
    clock.tick();
    expect(sent).toHaveLength(4);
  });
});
