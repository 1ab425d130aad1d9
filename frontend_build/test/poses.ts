/** `pose_v1` messages for tests: one person with 33 landmarks, or nobody in view. */
import type { Landmark, PoseMessage } from "../src/lib/types";

export function poseMessage(
  seq: number,
  {
    streamId = "cam1",
    persons = 1,
    captureTs = 0,
  }: { streamId?: string; persons?: number; captureTs?: number } = {},
): PoseMessage {
  const landmarks: Landmark[] = Array.from({ length: 33 }, (_, i) => [i / 32, 0.5, 0, 0.9, 0.9]);
  const world: Landmark[] = Array.from({ length: 33 }, (_, i) => [i / 100 - 0.16, -0.5, 0, 0.9, 0.9]);
  return {
    schema: "pose_v1",
    stream_id: streamId,
    seq,
    capture_ts: captureTs,
    engine: "mediapipe",
    image: { width: 640, height: 480 },
    persons: Array.from({ length: persons }, () => ({ score: 0.9, landmarks, world })),
    timing: { queue_ms: 1, decode_ms: 2, infer_ms: 10, server_ms: 14 },
    dropped: 0,
  };
}
