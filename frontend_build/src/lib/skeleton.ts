/** BlazePose's 33 landmarks (the server's `pose_v1` order) and the bones between them. */
import { LANDMARK_NAMES, SKELETON_EDGES } from "./generated/constants";

export { LANDMARK_NAMES };

export const NUM_LANDMARKS = LANDMARK_NAMES.length;

export const BONES: ReadonlyArray<readonly [number, number]> = SKELETON_EDGES;

export type Side = "left" | "right" | "center";

/** The person's own side of a landmark: it keeps its meaning when the display is mirrored. */
export function sideOf(index: number): Side {
  const name = LANDMARK_NAMES[index] ?? "";
  if (name.startsWith("left") || name === "mouth_left") return "left";
  if (name.startsWith("right") || name === "mouth_right") return "right";
  return "center";
}

export function boneSide([a, b]: readonly [number, number]): Side {
  const sa = sideOf(a);
  return sa === sideOf(b) ? sa : "center";
}
