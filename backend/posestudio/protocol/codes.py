"""Every error code the pose backend sends, with its meaning: the one list the studio reads.

A code is stable once published; `errors.py` (and `posestudio_core.errors`) gives each
domain error one of these, and `make schema` writes them into the studio's generated
constants.
"""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    BAD_REQUEST = "BAD_REQUEST"
    BAD_FRAME = "BAD_FRAME"
    FRAME_TOO_LARGE = "FRAME_TOO_LARGE"
    UNKNOWN_STREAM = "UNKNOWN_STREAM"
    STREAM_EXISTS = "STREAM_EXISTS"
    TOO_MANY_STREAMS = "TOO_MANY_STREAMS"
    CAPACITY = "CAPACITY"
    RATE_LIMITED = "RATE_LIMITED"
    UNKNOWN_ENGINE = "UNKNOWN_ENGINE"
    ENGINE_UNAVAILABLE = "ENGINE_UNAVAILABLE"
    UNAUTHORIZED = "UNAUTHORIZED"
    FORBIDDEN = "FORBIDDEN"
    NOT_FOUND = "NOT_FOUND"
    METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED"
    CONFLICT = "CONFLICT"
    PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE"
    BAD_ENGINE_CONFIG = "BAD_ENGINE_CONFIG"
    SINK_BEHIND = "SINK_BEHIND"
    EMAIL_TAKEN = "EMAIL_TAKEN"
    WEAK_PASSWORD = "WEAK_PASSWORD"
    INVALID_CREDENTIALS = "INVALID_CREDENTIALS"
    ROLE_TOO_HIGH = "ROLE_TOO_HIGH"
    LAST_ADMIN = "LAST_ADMIN"
    UNKNOWN_USER = "UNKNOWN_USER"
    UNKNOWN_TOKEN = "UNKNOWN_TOKEN"
    SETUP_DONE = "SETUP_DONE"
    BAD_SETUP_CODE = "BAD_SETUP_CODE"
    CSRF_REFUSED = "CSRF_REFUSED"
    SESSION_LIMIT = "SESSION_LIMIT"
    QUOTA_EXCEEDED = "QUOTA_EXCEEDED"
    STORAGE_FAILED = "STORAGE_FAILED"
    JOB_FAILED = "JOB_FAILED"
    BAD_OFFER = "BAD_OFFER"
    TOO_MANY_PEERS = "TOO_MANY_PEERS"
    WEBRTC_DISABLED = "WEBRTC_DISABLED"
    BAD_PAIRING_CODE = "BAD_PAIRING_CODE"
    ROBOT_OFFLINE = "ROBOT_OFFLINE"
    ROBOT_ESTOPPED = "ROBOT_ESTOPPED"
    COMMAND_STALE = "COMMAND_STALE"
    ROBOT_TIMEOUT = "ROBOT_TIMEOUT"
    ROBOT_REFUSED = "ROBOT_REFUSED"
    INTERNAL = "INTERNAL"


ERROR_MEANINGS: dict[ErrorCode, str] = {
    ErrorCode.BAD_REQUEST: "malformed message: wrong types, missing or unknown fields, "
    "oversize strings, wrong number of arguments; a packet that cannot be decoded or an "
    "unknown event (details.kind); a host name that is not served (HTTP)",
    ErrorCode.BAD_FRAME: "the frame payload is not binary, is empty, is not a JPEG, "
    "or is truncated or corrupt",
    ErrorCode.FRAME_TOO_LARGE: "the frame is over max_frame_bytes or over max_width x max_height",
    ErrorCode.UNKNOWN_STREAM: "frame or stop for a stream not running on this connection",
    ErrorCode.STREAM_EXISTS: "start of a stream id already running on this connection",
    ErrorCode.TOO_MANY_STREAMS: "start beyond the streams allowed per connection",
    ErrorCode.CAPACITY: "start beyond the server's budget of streams or engine instances "
    '(details.scope "server"), or beyond max_streams_per_person across connections '
    '(scope "person"); details.limit is the limit',
    ErrorCode.RATE_LIMITED: "frames arrive faster than max_fps (the extra frames are dropped), "
    "or too many failed authentications or unconnected sessions from one address",
    ErrorCode.UNKNOWN_ENGINE: "start names an engine that is not configured",
    ErrorCode.ENGINE_UNAVAILABLE: "the engine failed to load or to build an instance",
    ErrorCode.UNAUTHORIZED: "missing or wrong token",
    ErrorCode.FORBIDDEN: "the caller is known but not allowed to do this",
    ErrorCode.NOT_FOUND: "no such resource, or no such route (HTTP)",
    ErrorCode.METHOD_NOT_ALLOWED: "the route exists but not for this method (HTTP)",
    ErrorCode.CONFLICT: "the request conflicts with the current state (HTTP)",
    ErrorCode.PAYLOAD_TOO_LARGE: "a request body or long-polling message over its limit (HTTP 413)",
    ErrorCode.BAD_ENGINE_CONFIG: "an engine's config from settings does not validate (at startup)",
    ErrorCode.SINK_BEHIND: "a sink that must not lose results (the recorder) cannot keep "
    "up; its oldest results are dropped; the stream goes on",
    ErrorCode.EMAIL_TAKEN: "an account with this email (in any case) exists already",
    ErrorCode.WEAK_PASSWORD: "the password is short, common, too repetitive or the email",
    ErrorCode.INVALID_CREDENTIALS: "wrong email or password (the same answer for an unknown email)",
    ErrorCode.ROLE_TOO_HIGH: "a role above the one asking (or a token above its owner's)",
    ErrorCode.LAST_ADMIN: "the change would leave no active admin",
    ErrorCode.UNKNOWN_USER: "no such person",
    ErrorCode.UNKNOWN_TOKEN: "no such API token (or not yours)",
    ErrorCode.SETUP_DONE: "the first admin exists already: sign in instead",
    ErrorCode.BAD_SETUP_CODE: "wrong or used first-admin setup code",
    ErrorCode.CSRF_REFUSED: "an unsafe cookie-authenticated request from another origin",
    ErrorCode.INTERNAL: "an unexpected failure on one frame or request; the stream goes on",
    ErrorCode.SESSION_LIMIT: "a recording beyond max_streams_per_session, or one that reached "
    "max_session_seconds (stopped cleanly, complete)",
    ErrorCode.QUOTA_EXCEEDED: "the owner's recordings reached session_quota_bytes: refused, or "
    "stopped cleanly",
    ErrorCode.STORAGE_FAILED: "the storage refused a chunk (disk full, server down): recording "
    "stops with what was published, the live stream goes on",
    ErrorCode.BAD_OFFER: "a WebRTC offer that is not SDP, has no video track, or cannot be "
    "answered (details.reason)",
    ErrorCode.TOO_MANY_PEERS: "a WebRTC offer beyond webrtc_max_peers (details.limit); use "
    "Socket.IO",
    ErrorCode.WEBRTC_DISABLED: "WebRTC is off on this server (webrtc_enabled): use Socket.IO",
    ErrorCode.BAD_PAIRING_CODE: "a phone pairing code that is unknown, expired or used "
    '(details.reason: "unknown", "expired", "used"): show a new QR code',
    ErrorCode.JOB_FAILED: "a clip or export job failed (details.reason says why; the session "
    "is unchanged)",
    ErrorCode.ROBOT_OFFLINE: "no robot service holds a link to the robot now",
    ErrorCode.ROBOT_ESTOPPED: "the robot's e-stop is latched: an operator clears it first",
    ErrorCode.COMMAND_STALE: "a command older than its deadline, or behind a newer one",
    ErrorCode.ROBOT_TIMEOUT: "the robot service did not answer the command in time",
    ErrorCode.ROBOT_REFUSED: "the robot service or the robot refused the command (details.reason)",
}
