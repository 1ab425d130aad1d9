"""Per-session analytics on the wire (docs/sessions.md, "Analytics").

Every `ts` is session time (seconds since the session's `started_at`), like the rest of
the sessions API.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from posestudio.protocol.messages import Message


class Span(Message):
    """A span of session time."""

    ts: float
    end_ts: float


class InView(Message):
    """How long a person was in view, and the spans of at least 0.5 s with nobody."""

    seconds: float
    fraction: float = Field(description="seconds / duration_s, 0..1")
    spans_out: list[Span]


class JointRange(Message):
    """One joint's 3D angle (world landmarks) over the frames with a person, degrees."""

    min_deg: float
    max_deg: float
    range_deg: float
    p5_deg: float
    p95_deg: float


class Intensity(Message):
    """Mean landmark speed per interval, in body heights per second (0: nobody in view)."""

    interval_s: float
    values: list[float]


class Repetition(Message):
    """One repetition of the most periodic joint angle: from its top, through its bottom,
    back to its top (`depth_deg`: the angle travelled from the top to the bottom)."""

    ts: float
    end_ts: float
    joint: str
    depth_deg: float
    bottom_ts: float
    bottom_deg: float


class Heatmap(Message):
    """Where the hips' centre was in the image: the fraction of in-view frames per cell,
    row-major, rows top-down (the values add up to 1 when anyone was in view)."""

    cols: int
    rows: int
    values: list[float]


class SessionEvent(Message):
    """A moment of a session the studio and the agent can point at."""

    kind: Literal["repetition", "out_of_view", "annotation"]
    ts: float
    end_ts: float | None = None
    stream: str | None = Field(None, description="the stream key; null: every stream")
    label: str
    details: dict[str, Any] | None = None


class SessionAnalytics(Message):
    """`GET /api/sessions/{id}/analytics`: one stream's figures over [from_ts, to_ts]."""

    session_id: str
    stream: str | None = Field(description="the stream key analysed; null: nothing recorded")
    from_ts: float
    to_ts: float
    duration_s: float
    frames: int
    in_view: InView
    range_of_motion: dict[str, JointRange] = Field(
        description="per joint (left/right elbow, shoulder, hip, knee), those ever in view"
    )
    intensity: Intensity
    repetitions: list[Repetition]
    heatmap: Heatmap
    events: list[SessionEvent]


class SessionEvents(Message):
    """`GET /api/sessions/{id}/events`: every stream's repetitions and out-of-view spans
    and the session's annotations, by `ts`."""

    events: list[SessionEvent]
