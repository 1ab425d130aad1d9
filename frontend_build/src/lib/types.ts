/** The `/pose` protocol's messages, as the server sends them (see backend `schema.py`). */

/** x, y, z, visibility, presence. x and y are normalised to the image; world is metres. */
export type Landmark = [number, number, number, number, number];

export interface Person {
  score: number;
  landmarks: Landmark[];
  world: Landmark[];
}

export interface PoseMessage {
  schema: "pose_v1";
  stream_id: string;
  seq: number;
  capture_ts: number;
  engine: string;
  image: { width: number; height: number };
  persons: Person[];
  timing: { queue_ms: number; decode_ms: number; infer_ms: number; server_ms: number };
  dropped: number;
}

export interface WireError {
  code: string;
  message: string;
  stream_id?: string;
  details?: Record<string, unknown>;
}

export interface Limits {
  max_frame_bytes: number;
  max_width: number;
  max_height: number;
  max_in_flight: number;
  max_fps: number;
  /** Streams one connection may run (servers before 0.1 did not send it). */
  max_streams?: number;
}

export interface SmoothingConfig {
  min_cutoff: number;
  beta: number;
  d_cutoff: number;
}

export interface StartOptions {
  engine?: string;
  smoothing?: SmoothingConfig | false;
}

export interface StartReply {
  ok: true;
  stream_id: string;
  engine: string;
  smoothing: boolean;
  limits: Limits;
}
