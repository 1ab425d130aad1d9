import { lazy, memo, Suspense } from "react";
import type { PoseSource } from "../lib/poseSource";
import type { Session } from "./api";

const Pose3D = lazy(() => import("../components/Pose3D").then((m) => ({ default: m.Pose3D })));
const AvatarView = lazy(() => import("../components/AvatarView").then((m) => ({ default: m.AvatarView })));

/** The replay's 3D view of one camera's poses (a choice when there are several), and the avatar. */
/** Memoised: the replay re-renders each display frame, this needs its props only. */
export const Replay3D = memo(function Replay3D({
  streams,
  source,
  chosen,
  onChoose,
  avatar,
  onAvatar,
  theme,
}: {
  streams: Session["streams"];
  source: PoseSource;
  /** The index of the stream shown. */
  chosen: number;
  onChoose: (index: number) => void;
  avatar: boolean;
  onAvatar: (on: boolean) => void;
  theme: string;
}) {
  return (
    <div className="replay-3d">
      {streams.length > 1 && (
        <select
          aria-label="Camera shown in 3D"
          value={chosen}
          onChange={(e) => onChoose(Number(e.target.value))}
        >
          {streams.map((s, i) => (
            <option key={s.key} value={i}>
              {s.name}
            </option>
          ))}
        </select>
      )}
      <Suspense fallback={<div className="view3d" aria-busy="true" />}>
        <Pose3D poses={source} theme={theme} />
      </Suspense>
      <label className="check">
        <input
          type="checkbox"
          data-testid="replay-avatar-toggle"
          checked={avatar}
          onChange={(e) => onAvatar(e.target.checked)}
        />
        Avatar
      </label>
      {avatar && (
        <Suspense fallback={<div className="view3d avatar" aria-busy="true" />}>
          <AvatarView poses={source} theme={theme} smoothing={0} />
        </Suspense>
      )}
    </div>
  );
});
