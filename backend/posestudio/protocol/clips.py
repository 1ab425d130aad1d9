"""Clips and export jobs on the wire (docs/sessions.md, "Clips" and "Export jobs").

Times are session seconds (`from`, `to`), as everywhere in sessions. A job's status is
`queued`, then `processing` with `progress` rising 0..1, then `complete` (with `url`) or
`failed` (with `error`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import ConfigDict, Field

from posestudio.protocol.messages import ErrorBody, Message

JobStatus = Literal["queued", "processing", "complete", "failed"]
ExportFormat = Literal["jsonl", "csv", "parquet", "bvh"]


class _Ranged(Message):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class ClipCreate(_Ranged):
    """`POST /api/clips`: render a span of one recorded stream as an MP4."""

    session_id: str = Field(min_length=1, max_length=16)
    stream: str = Field(min_length=1, max_length=32, description="the stream's key (st_…)")
    from_: float = Field(alias="from", ge=0, description="session seconds")
    to: float = Field(ge=0, description="session seconds, after `from`")
    overlay: bool = Field(True, description="draw the skeleton over the video")


class Clip(_Ranged):
    """`GET /api/clips/{id}`: a clip and how far its render has come."""

    id: str
    session_id: str
    stream: str
    from_: float = Field(alias="from")
    to: float
    overlay: bool
    status: JobStatus
    progress: float = Field(ge=0, le=1)
    url: str | None = Field(description="the MP4 (`/api/clips/{id}/video`) once complete")
    share_url: str | None = Field(description="`/share/<token>` while shared")
    error: ErrorBody | None
    frames: int | None = Field(description="video frames, once complete")
    duration_s: float | None
    bytes: int | None
    created_at: datetime
    finished_at: datetime | None


class ClipList(Message):
    """`GET /api/sessions/{id}/clips`: a session's clips, newest first."""

    clips: list[Clip]


class ShareCreate(Message):
    """`POST /api/clips/{id}/share`: optionally, how long the link lives."""

    expires_s: int | None = Field(None, ge=60, le=365 * 24 * 3600)


class ShareLink(Message):
    """A clip's public link: anyone with it can watch, until revoked or expired."""

    token: str
    url: str = Field(description="/share/<token>")
    expires_at: datetime | None


class ClipEvent(Message):
    """`clip` (server → the owner's `/pose` connections): a clip's render progress."""

    id: str
    status: JobStatus
    progress: float = Field(ge=0, le=1)
    error: ErrorBody | None = None


class ExportCreate(_Ranged):
    """`POST /api/sessions/{id}/exports`: an export, made by a job and stored."""

    format: ExportFormat
    stream: str | None = Field(None, max_length=32)
    from_: float = Field(0.0, alias="from", ge=0)
    to: float | None = Field(None, ge=0)


class ExportJob(Message):
    """`GET /api/exports/{id}`: an export job and, once complete, where to fetch it."""

    id: str
    session_id: str
    format: ExportFormat
    status: JobStatus
    progress: float = Field(ge=0, le=1)
    url: str | None = Field(
        description="`/api/exports/{id}/file`, or a pre-signed URL with ?presign=true on s3"
    )
    error: ErrorBody | None
    bytes: int | None
    created_at: datetime
    finished_at: datetime | None
