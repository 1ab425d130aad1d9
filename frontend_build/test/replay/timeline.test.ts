import { describe, expect, it } from "vitest";
import {
  Playhead,
  formatTime,
  frameAt,
  framesAround,
  prefetchWindows,
  setRange,
  shuttle,
  spanBetween,
  stepFrame,
  timeAtX,
  windowSpan,
} from "../../src/replay/timeline";

describe("Playhead", () => {
  it("holds still while paused and moves with the clock at its speed while playing", () => {
    const p = new Playhead(10, 2);
    expect(p.at(0)).toBe(2);
    expect(p.at(5000)).toBe(2);
    p.play(1000);
    expect(p.at(1000)).toBe(2);
    expect(p.at(2500)).toBeCloseTo(3.5);
    p.setSpeed(2500, 0.25);
    expect(p.at(6500)).toBeCloseTo(4.5);
    p.pause(6500);
    expect(p.playing).toBe(false);
    expect(p.at(99_000)).toBeCloseTo(4.5);
  });

  it("stops at the end, and plays from the start again", () => {
    const p = new Playhead(3);
    p.play(0, 2);
    expect(p.at(1000)).toBe(2);
    expect(p.at(5000)).toBe(3);
    expect(p.playing).toBe(false);
    p.play(6000);
    expect(p.at(6000)).toBe(0);
    expect(p.playing).toBe(true);
  });

  it("plays backwards at a negative speed and stops at 0", () => {
    const p = new Playhead(10, 5);
    p.play(0, -1);
    expect(p.at(2000)).toBeCloseTo(3);
    expect(p.at(9000)).toBe(0);
    expect(p.playing).toBe(false);
  });

  it("seeks within the session, and counts a version on every seek, play and speed change", () => {
    const p = new Playhead(10);
    const v = p.version;
    p.seek(0, 42);
    expect(p.at(0)).toBe(10);
    p.seek(0, -3);
    expect(p.at(0)).toBe(0);
    p.seek(0, Number.NaN);
    expect(p.at(0)).toBe(0);
    p.play(0);
    p.setSpeed(0, 2);
    expect(p.version).toBe(v + 5);
    // Seeking while playing keeps playing from there.
    p.seek(1000, 4);
    expect(p.at(2000)).toBeCloseTo(6);
  });

  it("toggles play and pause", () => {
    const p = new Playhead(10);
    p.toggle(0);
    expect(p.playing).toBe(true);
    p.toggle(1000);
    expect(p.playing).toBe(false);
    expect(p.at(1000)).toBeCloseTo(1);
  });
});

describe("shuttle (J/K/L)", () => {
  it("L plays forwards, faster on each press; J backwards; K pauses", () => {
    expect(shuttle("l", false, 1)).toBe(1);
    expect(shuttle("l", true, 1)).toBe(1.5);
    expect(shuttle("l", true, 1.5)).toBe(2);
    expect(shuttle("l", true, 2)).toBe(2);
    expect(shuttle("j", true, 2)).toBe(-1);
    expect(shuttle("j", true, -1)).toBe(-1.5);
    expect(shuttle("l", true, -2)).toBe(1);
    expect(shuttle("k", true, 2)).toBe(0);
    expect(shuttle("l", false, 0.25)).toBe(1);
  });
});

describe("frames", () => {
  const times = [0.03, 0.1, 0.2, 0.31, 0.4];

  it("finds the frame shown at a time: the last at or before it", () => {
    expect(frameAt(times, 0)).toBe(0);
    expect(frameAt(times, 0.03)).toBe(0);
    expect(frameAt(times, 0.19)).toBe(1);
    expect(frameAt(times, 0.2)).toBe(2);
    expect(frameAt(times, 99)).toBe(4);
    expect(frameAt([], 1)).toBe(-1);
    const many = Array.from({ length: 18_000 }, (_, i) => i / 30);
    expect(frameAt(many, 300.01)).toBe(9000);
  });

  it("steps frame by frame, clamped to the first and last", () => {
    expect(stepFrame(times, 0.2, 1)).toBe(0.31);
    expect(stepFrame(times, 0.25, -1)).toBe(0.1);
    expect(stepFrame(times, 0.4, 1)).toBe(0.4);
    expect(stepFrame(times, 0.03, -3)).toBe(0.03);
    expect(stepFrame([], 1.5, 1)).toBe(1.5);
  });

  it("loads the frame shown first, then ahead the way it plays, then behind", () => {
    expect(framesAround(10, 100, { ahead: 3, behind: 1 })).toEqual([10, 11, 12, 13, 9]);
    expect(framesAround(10, 100, { ahead: 2, behind: 1, speed: -1 })).toEqual([10, 9, 8, 11]);
    expect(framesAround(0, 3, { ahead: 5, behind: 2 })).toEqual([0, 1, 2]);
    expect(framesAround(5, 0)).toEqual([]);
  });
});

describe("prefetch windows", () => {
  it("covers the playhead's window first, then ahead, then behind, within the session", () => {
    expect(prefetchWindows(22, 600, { size: 10, ahead: 20, behind: 5 })).toEqual([2, 3, 4, 1]);
    expect(prefetchWindows(25, 600, { size: 10, ahead: 20, behind: 5 })).toEqual([2, 3, 4]);
    expect(prefetchWindows(0, 600, { size: 10, ahead: 20, behind: 5 })).toEqual([0, 1, 2]);
    expect(prefetchWindows(595, 600, { size: 10, ahead: 20, behind: 5 })).toEqual([59, 60]);
    expect(prefetchWindows(3, 4, { size: 10 })).toEqual([0]);
  });

  it("looks the other way when playing backwards", () => {
    expect(prefetchWindows(25, 600, { size: 10, ahead: 20, behind: 5, speed: -1 })).toEqual([2, 1, 0, 3]);
  });

  it("a scrub across a ten-minute session asks only for windows near the playhead", () => {
    for (let t = 0; t <= 600; t += 7.3) {
      const windows = prefetchWindows(t, 600);
      expect(windows.length).toBeLessThanOrEqual(4);
      expect(windows[0]).toBe(Math.floor(t / 10));
      for (const w of windows) expect(Math.abs(windowSpan(w).from - t)).toBeLessThanOrEqual(30);
    }
  });

  it("window spans are aligned at multiples of the size", () => {
    expect(windowSpan(3, 10)).toEqual({ from: 30, to: 40 });
  });
});

describe("range selection", () => {
  it("[ sets the start and ] the end, keeping the other end when it still makes a range", () => {
    let r = setRange(null, "in", 2, 10);
    expect(r).toEqual({ from: 2, to: 10 });
    r = setRange(r, "out", 5, 10);
    expect(r).toEqual({ from: 2, to: 5 });
    r = setRange(r, "in", 3, 10);
    expect(r).toEqual({ from: 3, to: 5 });
    // A start after the end: the end moves to the session's end.
    expect(setRange({ from: 3, to: 5 }, "in", 7, 10)).toEqual({ from: 7, to: 10 });
    // An end before the start: from the session's start.
    expect(setRange({ from: 3, to: 5 }, "out", 1, 10)).toEqual({ from: 0, to: 1 });
    expect(setRange(null, "out", 0, 10)).toBeNull();
    expect(setRange(null, "in", 10, 10)).toBeNull();
    expect(setRange(null, "out", 42, 10)).toEqual({ from: 0, to: 10 });
  });

  it("a drag makes an ordered span; none for a click", () => {
    expect(spanBetween(5, 2, 10)).toEqual({ from: 2, to: 5 });
    expect(spanBetween(-1, 20, 10)).toEqual({ from: 0, to: 10 });
    expect(spanBetween(3, 3, 10)).toBeNull();
  });
});

describe("layout and readout", () => {
  it("maps pointer positions to times", () => {
    expect(timeAtX(150, 100, 200, 60)).toBe(15);
    expect(timeAtX(0, 100, 200, 60)).toBe(0);
    expect(timeAtX(400, 100, 200, 60)).toBe(60);
    expect(timeAtX(10, 0, 0, 60)).toBe(0);
  });

  it("formats session time", () => {
    expect(formatTime(0)).toBe("0:00.00");
    expect(formatTime(3.2)).toBe("0:03.20");
    expect(formatTime(62.355)).toBe("1:02.36");
    expect(formatTime(3725.5)).toBe("1:02:05.50");
    expect(formatTime(-1)).toBe("0:00.00");
  });
});
