/** BlazePose's 33 landmarks (the server's `pose_v1` order) and the bones between them. */

export const LANDMARK_NAMES = [
  "nose",
  "left_eye_inner",
  "left_eye",
  "left_eye_outer",
  "right_eye_inner",
  "right_eye",
  "right_eye_outer",
  "left_ear",
  "right_ear",
  "mouth_left",
  "mouth_right",
  "left_shoulder",
  "right_shoulder",
  "left_elbow",
  "right_elbow",
  "left_wrist",
  "right_wrist",
  "left_pinky",
  "right_pinky",
  "left_index",
  "right_index",
  "left_thumb",
  "right_thumb",
  "left_hip",
  "right_hip",
  "left_knee",
  "right_knee",
  "left_ankle",
  "right_ankle",
  "left_heel",
  "right_heel",
  "left_foot_index",
  "right_foot_index",
] as const;

export const NUM_LANDMARKS = LANDMARK_NAMES.length;

export const BONES: ReadonlyArray<readonly [number, number]> = [
  [0, 1],
  [1, 2],
  [2, 3],
  [3, 7],
  [0, 4],
  [4, 5],
  [5, 6],
  [6, 8],
  [9, 10],
  [11, 12],
  [11, 13],
  [13, 15],
  [15, 17],
  [15, 19],
  [15, 21],
  [17, 19],
  [12, 14],
  [14, 16],
  [16, 18],
  [16, 20],
  [16, 22],
  [18, 20],
  [11, 23],
  [12, 24],
  [23, 24],
  [23, 25],
  [24, 26],
  [25, 27],
  [26, 28],
  [27, 29],
  [28, 30],
  [29, 31],
  [30, 32],
  [27, 31],
  [28, 32],
];

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
