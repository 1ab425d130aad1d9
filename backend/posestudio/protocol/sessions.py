"""What the sessions API returns (docs/sessions.md): a session with its streams, a page of
sessions, annotations. Built from the tables by `posestudio.sessions.models`."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from posestudio.protocol.messages import ImageSize, Message

SessionStatus = Literal["recording", "complete", "interrupted"]


class SessionStreamPublic(Message):
    """One recorded stream of a session."""

    key: str = Field(description="the stream's key within the session (its routes use it)")
    name: str
    engine: str
    image: ImageSize | None
    frames: int
    drops: int
    fps: float | None = Field(description="achieved: frames over the recorded span")
    first_ts: float | None = Field(description="session seconds of the first frame")
    last_ts: float | None
    smoothing: bool
    bytes: int


class SessionPublic(Message):
    """A recorded session (several cameras recorded together)."""

    id: str
    name: str
    tags: list[str]
    owner: str = Field(description="the owner's subject, `user:<id>`")
    status: SessionStatus
    video: bool = Field(description="whether the JPEGs were kept beside the poses")
    started_at: datetime
    ended_at: datetime | None
    duration_s: float
    bytes: int
    stop_reason: str | None
    note: str | None
    streams: list[SessionStreamPublic]
    annotations: int = Field(description="how many annotations it has")


class SessionList(Message):
    """A page of sessions, newest first."""

    sessions: list[SessionPublic]
    total: int
    offset: int
    limit: int


class AnnotationPublic(Message):
    """A note at a moment (or over a span) of a session."""

    id: int
    ts: float = Field(description="session seconds")
    end_ts: float | None
    stream: str | None = Field(description="the stream's key, or none: the whole session")
    label: str
    note: str | None
    created_at: datetime


class AnnotationList(Message):
    annotations: list[AnnotationPublic]
