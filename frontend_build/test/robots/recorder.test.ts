import { describe, expect, it } from "vitest";
import { BehaviourRecorder, KEEP_S } from "../../src/robots/recorder";

describe("BehaviourRecorder", () => {
  it("keeps changes, thins repeats, and ends with a stop", () => {
    let now = 100;
    const rec = new BehaviourRecorder(() => now);
    rec.drive({ x: 1, y: 0, z: 0 }); // not recording: ignored
    rec.start();
    const v = { x: 0.3, y: 0, z: 0 };
    for (let i = 0; i < 10; i++) {
      rec.drive({ ...v });
      now += 1 / 15;
    }
    rec.action("hello");
    now += 0.1;
    rec.drive({ x: 0, y: 0, z: 0.5 });
    const body = rec.finish("wave and turn", "go2");
    expect(body).not.toBeNull();
    const steps = body!.steps;
    expect(steps[0]).toEqual({ t: 0, command: { kind: "move", x: 0.3, y: 0, z: 0 } });
    const moves = steps.filter((s) => s.command.kind === "move");
    // 10 identical drives over 0.67 s: one every KEEP_S, not ten.
    expect(moves.length).toBeLessThanOrEqual(Math.ceil(0.67 / KEEP_S) + 2);
    expect(steps.some((s) => s.command.kind === "action")).toBe(true);
    expect(steps.at(-1)!.command).toEqual({ kind: "stop" });
    expect(body!.models).toEqual(["go2"]);
    expect(steps.map((s) => s.t)).toEqual([...steps.map((s) => s.t)].sort((a, b) => a - b));
    expect(rec.recording).toBe(false);
  });

  it("saves nothing when nothing was driven", () => {
    const rec = new BehaviourRecorder(() => 0);
    rec.start();
    expect(rec.finish("empty", "g1")).toBeNull();
  });
});
