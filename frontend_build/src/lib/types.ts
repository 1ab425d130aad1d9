/**
 * The `/pose` protocol's messages, as the server sends them. The shapes are generated from
 * the backend's models (`generated/protocol.ts`, by `make schema`); these are the names the
 * studio uses for them.
 */
import type {
  CalibrationAck,
  CreditMessage,
  ErrorCode,
  ErrorMessage,
  Limits,
  PersonPose,
  PoseMessage,
  Skeleton,
  SmoothingConfig,
  StartAck,
} from "./generated/protocol";

export type { CreditMessage, ErrorCode, Limits, PoseMessage, SmoothingConfig };

/**
 * The body model of a pose, on streams started with `kinematics: true`: local rotations
 * `[x, y, z, w]` in the order of the start acknowledgement's `bones`, the hips' position
 * (metres, Y up), the body's size relative to the reference body, and whether the bone
 * lengths came from an accepted T-pose.
 */
export type SkeletonWire = Skeleton;

/** The answer to `calibrate {stream_id}`. */
export type CalibrationVerdict = Omit<CalibrationAck, "ok" | "stream_id">;

/** x, y, z, visibility, presence. x and y are normalised to the image; world is metres. */
export type Landmark = PersonPose["landmarks"][number];

export type Person = PersonPose;

/** Codes the studio gives its own failures (no answer in time, connection lost). */
export type ClientErrorCode = "TIMEOUT" | "DISCONNECTED";

/** An error from the server, or one of the studio's own. */
export type WireError = Omit<ErrorMessage, "code"> & { code: ErrorCode | ClientErrorCode };

/** What the studio asks of a stream at `start` (`StartRequest` without the id). */
export interface StartOptions {
  engine?: string;
  smoothing?: Required<SmoothingConfig> | false;
  /** Ask for the body model (`skeleton` in each pose, `bones` in the reply). */
  kinematics?: boolean;
  /** Ask for the hands (`hands` in each pose: 21 landmarks per hand in view). */
  hands?: boolean;
}

export type StartReply = StartAck;
