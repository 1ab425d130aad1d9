"""Sessions, their recorded streams and annotations: models in layers.

A session is owned by a `Principal.subject` (`"user:<id>"`, or `"token"` for the
bootstrap token, which has no user row), so `owner` is that subject rather than a
foreign key; it is what `authorize` compares.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import sqlalchemy as sa
from pydantic import StringConstraints, field_validator, model_validator
from sqlmodel import Field, SQLModel

from posestudio.db.database import utcnow
from posestudio.protocol.messages import ImageSize
from posestudio.protocol.sessions import (
    SessionPublic,
    SessionStatus,
    SessionStreamPublic,
)

Status = SessionStatus
STATUS_TYPE = sa.String(16)
SessionName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Tag = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
Label = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Note = Annotated[str, StringConstraints(max_length=1000)]
MAX_TAGS = 20


class RecordedSession(SQLModel, table=True):
    __tablename__ = "recorded_sessions"

    id: str = Field(primary_key=True, max_length=16)
    owner: str = Field(max_length=64, index=True)
    name: str = Field(max_length=200)
    tags: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    status: Status = Field(default="recording", sa_type=STATUS_TYPE, index=True)
    video: bool = False
    started_at: datetime = Field(default_factory=utcnow, index=True)
    ended_at: datetime | None = None
    stop_reason: str | None = Field(default=None, max_length=200)
    note: str | None = Field(default=None, max_length=500)
    bytes: int = Field(default=0, sa_type=sa.BigInteger)
    # The subjects the owner shared it with: they may read it (SHARED_ACTIONS), no more.
    viewers: list[str] = Field(default_factory=list, sa_type=sa.JSON)

    # A Resource for the core's `authorize`.
    @property
    def shared_with(self) -> frozenset[str]:
        return frozenset(self.viewers)


class SessionStream(SQLModel, table=True):
    __tablename__ = "session_streams"

    id: int | None = Field(default=None, primary_key=True)
    session_id: str = Field(foreign_key="recorded_sessions.id", ondelete="CASCADE", index=True)
    key: str = Field(max_length=32)
    name: str = Field(max_length=64)
    engine: str = Field(max_length=64)
    width: int | None = None
    height: int | None = None
    frames: int = 0
    drops: int = 0
    first_ts: float | None = None
    last_ts: float | None = None
    smoothing: bool = False
    chunks: int = 0
    bytes: int = Field(default=0, sa_type=sa.BigInteger)


class Annotation(SQLModel, table=True):
    __tablename__ = "session_annotations"

    id: int | None = Field(default=None, primary_key=True)
    session_id: str = Field(foreign_key="recorded_sessions.id", ondelete="CASCADE", index=True)
    ts: float
    end_ts: float | None = None
    stream: str | None = Field(default=None, max_length=32)
    label: str = Field(max_length=100)
    note: str | None = Field(default=None, max_length=1000)
    created_at: datetime = Field(default_factory=utcnow)


# -- what the API reads ----------------------------------------------------------------


def _tags(value: list[str] | None) -> list[str] | None:
    if value is None:
        return None
    if len(value) > MAX_TAGS:
        raise ValueError(f"at most {MAX_TAGS} tags")
    return list(dict.fromkeys(value))


class RecordOptions(SQLModel):
    name: SessionName | None = None
    tags: list[Tag] = Field(default_factory=list)
    video: bool = False

    @field_validator("tags")
    @classmethod
    def _check_tags(cls, value: list[str]) -> list[str]:
        return _tags(value) or []


class SessionCreate(RecordOptions):
    streams: list[str] | None = Field(default=None, max_length=256)


class SessionUpdate(SQLModel):
    name: SessionName | None = None
    tags: list[Tag] | None = None

    @field_validator("tags")
    @classmethod
    def _check_tags(cls, value: list[str] | None) -> list[str] | None:
        return _tags(value)


class AnnotationCreate(SQLModel):
    ts: float = Field(ge=0)
    end_ts: float | None = Field(default=None, ge=0)
    stream: str | None = Field(default=None, max_length=32)
    label: Label
    note: Note | None = None

    @model_validator(mode="after")
    def _ordered(self) -> AnnotationCreate:
        if self.end_ts is not None and self.end_ts < self.ts:
            raise ValueError("end_ts is before ts")
        return self


class AnnotationUpdate(SQLModel):
    ts: float | None = Field(default=None, ge=0)
    end_ts: float | None = Field(default=None, ge=0)
    label: Label | None = None
    note: Note | None = None


# -- what the API returns --------------------------------------------------------------


def public_stream(row: SessionStream) -> SessionStreamPublic:
    fps = None
    if row.first_ts is not None and row.last_ts is not None and row.frames > 1:
        span = row.last_ts - row.first_ts
        fps = round((row.frames - 1) / span, 2) if span > 0 else None
    image = None
    if row.width is not None and row.height is not None:
        image = ImageSize(width=row.width, height=row.height)
    return SessionStreamPublic(
        key=row.key,
        name=row.name,
        engine=row.engine,
        image=image,
        frames=row.frames,
        drops=row.drops,
        fps=fps,
        first_ts=row.first_ts,
        last_ts=row.last_ts,
        smoothing=row.smoothing,
        bytes=row.bytes,
    )


def public_session(
    row: RecordedSession, streams: list[SessionStream], annotations: int
) -> SessionPublic:
    ends = [s.last_ts for s in streams if s.last_ts is not None]
    return SessionPublic(
        id=row.id,
        name=row.name,
        tags=list(row.tags),
        owner=row.owner,
        status=row.status,
        video=row.video,
        started_at=row.started_at,
        ended_at=row.ended_at,
        duration_s=round(max(ends), 3) if ends else 0.0,
        bytes=row.bytes,
        stop_reason=row.stop_reason,
        note=row.note,
        streams=[public_stream(s) for s in streams],
        annotations=annotations,
    )
