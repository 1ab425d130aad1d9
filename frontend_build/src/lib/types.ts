/**
 * The `/pose` protocol's messages, as the server sends them. The shapes are generated from
 * the backend's models (`generated/protocol.ts`, by `make schema`); these are the names the
 * studio uses for them.
 */
import type {
  ErrorCode,
  ErrorMessage,
  Limits,
  PersonPose,
  PoseMessage,
  SmoothingConfig,
  StartAck,
} from "./generated/protocol";

export type { ErrorCode, Limits, PoseMessage, SmoothingConfig };

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
}

export type StartReply = StartAck;
