import type { ComponentProps } from "react";
import { describe, expect, it } from "vitest";
import type { AvatarView } from "../../src/components/AvatarView";
import type { Pose3D } from "../../src/components/Pose3D";
import type { PoseOverlay } from "../../src/components/PoseOverlay";
import { LIVE_MS, LivePoses, PoseFollower, type PoseSource } from "../../src/lib/poseSource";
import { poseMessage } from "../poses";
import { ReplayPoses } from "../replayPoses";

/** What a view following `source` shows on each display frame (60 Hz) from `from` to `to`. */
function watch(source: PoseSource, from: number, to: number, extra = () => "") {
  const follower = new PoseFollower(source);
  const shown: Array<string> = [];
  for (let now = from; now < to; now += 1000 / 60) {
    const next = follower.next(now, extra());
    if (next)
      shown.push(next.person ? `${next.pose!.seq}${next.mirrored ? "m" : ""}` : next.pose ? "empty" : "none");
  }
  return shown;
}

describe("LivePoses", () => {
  it("shows the newest pose while it is younger than LIVE_MS", () => {
    let mirror = true;
    const live = new LivePoses(() => mirror);
    expect(live.poseAt(0)).toBeNull();
    const pose = poseMessage(3);
    live.receive(pose, 100);
    expect(live.poseAt(100 + LIVE_MS - 1)).toBe(pose);
    expect(live.poseAt(100 + LIVE_MS)).toBeNull();
    expect(live.mirrored).toBe(true);
    mirror = false;
    expect(live.mirrored).toBe(false);
    live.clear();
    expect(live.poseAt(101)).toBeNull();
    expect(live.latestAt).toBe(0);
  });
});

describe("PoseFollower", () => {
  it("tells a view to redraw only when the pose, the mirror or the view's own inputs changed", () => {
    const live = new LivePoses(() => mirrored);
    let mirrored = false;
    const follower = new PoseFollower(live);
    expect(follower.next(0)).toEqual({ pose: null, person: null, mirrored: false });
    expect(follower.next(16)).toBeNull();
    const pose = poseMessage(0);
    live.receive(pose, 20);
    expect(follower.next(33)).toEqual({ pose, person: pose.persons[0], mirrored: false });
    expect(follower.next(50)).toBeNull();
    mirrored = true;
    expect(follower.next(66)?.mirrored).toBe(true);
    expect(follower.next(83, "640x480")).not.toBeNull();
    expect(follower.next(100, "640x480")).toBeNull();
    expect(follower.next(20 + LIVE_MS, "640x480")).toEqual({ pose: null, person: null, mirrored: true });
  });

  it("shows a pose with nobody in it as nobody", () => {
    const live = new LivePoses(() => false);
    live.receive(poseMessage(7, { persons: 0 }), 0);
    expect(new PoseFollower(live).next(10)).toMatchObject({ person: null, pose: { seq: 7 } });
  });
});

describe("a recorded session in the views", () => {
  const recording = [
    { at: 0, pose: poseMessage(0) },
    { at: 100, pose: poseMessage(1) },
    { at: 200, pose: poseMessage(2, { persons: 0 }) },
    { at: 300, pose: poseMessage(3) },
  ];

  it("feeds the overlay, the 3D view and the avatar: they take any PoseSource", () => {
    const replay = new ReplayPoses(recording, 400);
    // Checked by `tsc` (npm run check): the views' props ask for a PoseSource, nothing more.
    const overlay: ComponentProps<typeof PoseOverlay> = { poses: replay, video: null };
    const view3d: ComponentProps<typeof Pose3D> = { poses: replay, theme: "dark" };
    const avatar: ComponentProps<typeof AvatarView> = { poses: replay, theme: "dark", smoothing: 0 };
    expect(overlay.poses).toBe(view3d.poses);
    expect(avatar.poses).toBe(replay);
  });

  it("is shown pose by pose, as the views show a live stream", () => {
    const replay = new ReplayPoses(recording, 400);
    replay.play(1000);
    expect(watch(replay, 900, 1500)).toEqual(["none", "0", "1", "empty", "3", "none"]);
  });

  it("is redrawn when the person mirrors it or the view changes size, not otherwise", () => {
    const replay = new ReplayPoses(recording, 400);
    let size = "640x360";
    let frames = 0;
    const shown = watch(replay, 0, 150, () => {
      frames++;
      if (frames === 3) replay.mirrored = true;
      if (frames === 5) size = "1280x720";
      return size;
    });
    expect(shown).toEqual(["0", "0m", "0m", "1m"]);
  });
});
