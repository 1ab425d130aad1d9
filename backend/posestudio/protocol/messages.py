"""The `/pose` protocol's messages: the single source of the wire's shapes.

Requests (client to server) are what `transports/socketio.py` validates at the edge. The server's
messages describe exactly what it sends: unknown fields are refused here, so that a test
validating real messages from a real server fails when the two drift apart. `make schema`
exports every model as JSON Schema (`docs/schema/`) and as the studio's TypeScript types.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictFloat, StrictInt

from posestudio.protocol.codes import ErrorCode
from posestudio.protocol.landmarks import NUM_LANDMARKS

# Re-exported: the agent checks the same names through the core.
from posestudio_core.ids import STREAM_ID_PATTERN as STREAM_ID_PATTERN

SCHEMA = "pose_v1"


def _not_null(schema: dict[str, Any]) -> None:
    # A field the server leaves out rather than sends as null: the schema says "absent or
    # this type", not "null or this type".
    variants = [s for s in schema.pop("anyOf", []) if s.get("type") != "null"]
    if len(variants) == 1:
        schema.update(variants[0])
    schema.pop("default", None)


def omitted(description: str) -> Any:
    """A field that is absent when it has no value (never sent as null)."""
    return Field(None, description=description, json_schema_extra=_not_null)


class Message(BaseModel):
    """A message on the wire: unknown fields are refused."""

    model_config = ConfigDict(extra="forbid")


# -- client to server ---------------------------------------------------------------


class SmoothingConfig(Message):
    """One-Euro filter parameters; see `smoothing.py`."""

    min_cutoff: float = Field(1.0, gt=0, le=100)
    beta: float = Field(0.05, ge=0, le=100)
    d_cutoff: float = Field(1.0, gt=0, le=100)


class StartRequest(Message):
    """`start`: begin a stream on this connection (acknowledged with `StartAck` or `Refused`)."""

    stream_id: str = Field(
        pattern=STREAM_ID_PATTERN, description="the client's name, unique on its connection"
    )
    engine: str | None = Field(
        None, max_length=64, description="engine name; default: the server's default"
    )
    smoothing: SmoothingConfig | bool | None = Field(
        None, description="`true` means defaults, `false`/absent means off, an object sets them"
    )
    kinematics: bool = Field(
        False, description="add the body model (`skeleton`) to every pose; `bones` in the ack"
    )
    hands: bool = Field(False, description="add the hands' 21 landmarks (`hands`) to every pose")
    credits: bool = Field(
        False,
        description="send frames only against credits: the server grants them (`granted` in the "
        "ack, in each pose and in `credit` events), so no frame is uploaded only to be dropped",
    )

    def smoothing_config(self) -> SmoothingConfig | None:
        if self.smoothing is True:
            return SmoothingConfig()
        if isinstance(self.smoothing, SmoothingConfig):
            return self.smoothing
        return None


class StopRequest(Message):
    """`stop`: end a stream (acknowledged with `StopAck` or `Refused`)."""

    stream_id: str = Field(pattern=STREAM_ID_PATTERN)


class FrameMeta(Message):
    """`frame`'s first argument; the second is the JPEG as a binary attachment."""

    stream_id: str = Field(pattern=STREAM_ID_PATTERN)
    seq: StrictInt = Field(ge=0, le=2**53, description="the client's frame counter, echoed")
    capture_ts: StrictFloat | StrictInt = Field(
        ge=0, le=1e15, description="capture time, milliseconds since the epoch, echoed"
    )


# -- acknowledgements and errors ------------------------------------------------------


class Limits(Message):
    """What the server accepts; clients keep to these."""

    max_frame_bytes: int
    max_width: int
    max_height: int
    max_in_flight: int = Field(description="unanswered frames a client should keep at most")
    max_fps: float
    max_streams: int = Field(description="streams one connection may run")


class StartAck(Message):
    """The acknowledgement of a `start` that succeeded."""

    ok: Literal[True]
    stream_id: str
    id: str = Field(description="the stream's server-wide id: HTTP routes and viewers use it")
    engine: str
    smoothing: bool = Field(description="whether smoothing is on")
    limits: Limits
    bones: list[str] | None = omitted(
        "with `kinematics`: the VRM humanoid bone names, the order of `skeleton.rotations`"
    )
    granted: int | None = omitted(
        "with `credits`: how many frames, in all, the client may send so far (a running total)"
    )


class StopAck(Message):
    """The acknowledgement of a `stop` that succeeded."""

    ok: Literal[True]
    stream_id: str


class ErrorBody(Message):
    """One error: a stable code, a readable message and details that depend on the code."""

    code: ErrorCode
    message: str
    details: dict[str, Any] | None = omitted("depends on the code, e.g. `limit`, `errors`")


class Refused(Message):
    """The acknowledgement of a `start`, `stop`, `watch` or `unwatch` that was refused."""

    ok: Literal[False]
    error: ErrorBody


class ErrorMessage(ErrorBody):
    """`error`, from server to client; errors never close the connection."""

    stream_id: str | None = omitted("the stream the message named, when it named one")


class ErrorResponse(Message):
    """The body of every HTTP error."""

    error: ErrorBody


# -- poses ----------------------------------------------------------------------------

Landmark = Annotated[
    tuple[float, float, float, float, float],
    Field(description="x, y, z, visibility, presence"),
]
Landmarks = Annotated[list[Landmark], Field(min_length=NUM_LANDMARKS, max_length=NUM_LANDMARKS)]


class PersonPose(Message):
    """One person: 33 landmarks in BlazePose's order (`LANDMARK_NAMES`)."""

    score: float = Field(description="the engine's confidence in the person")
    landmarks: Landmarks = Field(description="x, y normalised to the image; z relative to hips")
    world: Landmarks = Field(description="metres, origin at the hips' midpoint, y down")


class ImageSize(Message):
    width: int
    height: int


class Timing(Message):
    """Where the server's time went, in milliseconds."""

    queue_ms: float = Field(description="waiting for a worker")
    decode_ms: float
    infer_ms: float
    server_ms: float = Field(description="from the frame's arrival to the reply being sent")


Quaternion = Annotated[tuple[float, float, float, float], Field(description="x, y, z, w")]
Vector = Annotated[tuple[float, float, float], Field(description="x, y, z")]


class Skeleton(Message):
    """The body model of the first person (streams started with `kinematics`)."""

    rotations: list[Quaternion] = Field(
        description="local rotations, one per bone in the start ack's `bones` order"
    )
    root: Vector = Field(description="the hips' position, metres, Y up")
    scale: float = Field(description="the body's size relative to the reference (1.0 ≈ 1.70 m)")
    calibrated: bool = Field(description="whether the bone lengths come from a T-pose")


HandLandmark = Annotated[
    tuple[float, float, float, float], Field(description="x, y, z, visibility")
]


class HandPose(Message):
    """One hand of the first person (streams started with `hands`)."""

    side: Literal["left", "right"] = Field(description="the person's left or right hand")
    score: float = Field(description="the hand model's confidence that a hand is in the crop")
    landmarks: list[HandLandmark] = Field(
        min_length=21,
        max_length=21,
        description="MediaPipe's 21 hand landmarks; x, y normalised to the image, z relative "
        "to the wrist (same scale as x)",
    )


class PoseMessage(Message):
    """`pose` (`pose_v1`), from server to client: the landmarks of one frame."""

    schema_: Literal["pose_v1"] = Field(alias="schema")
    stream_id: str
    seq: int
    capture_ts: float
    engine: str
    image: ImageSize
    persons: list[PersonPose] = Field(description="empty when nobody is in view")
    timing: Timing
    dropped: int = Field(description="frames of this stream dropped so far")
    skeleton: Skeleton | None = omitted("with `kinematics`, when a person is in view")
    hands: list[HandPose] | None = omitted("with `hands`, when a person is in view")
    granted: int | None = omitted("with `credits`: the stream's running total of credits")


class CreditMessage(Message):
    """`credit`, from server to client (streams started with `credits`): the stream's turn
    for a worker is about one round trip away, so the client may send its newest frame.
    `granted` is a running total: the client may have sent that many frames of it in all."""

    stream_id: str
    granted: int = Field(ge=0)


# -- HTTP -----------------------------------------------------------------------------


class StreamSummary(Message):
    """One running stream, as `GET /api/streams` lists it."""

    id: str = Field(description="the stream's server-wide id (`/api/streams/{id}/stats`)")
    stream_id: str = Field(description="the client's name for the stream")
    connection: str | None = Field(description="the start of the connection's id")
    engine: str
    state: Literal["running", "draining", "closed"]
    started_at: float = Field(description="seconds since the epoch")
    fps: float = Field(description="poses per second over the last 5 s")
    server_ms_p50: float | None = Field(description="median server time over the last 5 s")
    received: int
    processed: int
    dropped: int
    owner: str = Field(description="the owner's display name (or subject)")
    shared: bool = Field(description="someone else's stream, shared with the caller")
    paired: bool = Field(description="a paired phone streams it (a token with the phone's scopes)")


class StreamList(Message):
    """`GET /api/streams`."""

    streams: list[StreamSummary]
