"""Clips and export jobs in the database (tables `clips` and `session_exports`).

Both belong to a session (deleted with it) and to its owner (`Principal.subject`). The
job's status lives in the job queue's store while it runs; the row keeps how it ended.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from posestudio.db.database import utcnow
from posestudio.protocol.clips import JobStatus

STATUS_TYPE = sa.String(16)


class _JobRow(SQLModel):
    """What a clip and an export share: the row a job renders and its outcome."""

    id: str = Field(primary_key=True, max_length=16)
    owner: str = Field(max_length=64, index=True)
    session_id: str = Field(foreign_key="recorded_sessions.id", ondelete="CASCADE", index=True)
    status: JobStatus = Field(default="queued", sa_type=STATUS_TYPE)
    error: str | None = Field(default=None, max_length=500)
    key: str | None = Field(default=None, max_length=200)
    bytes: int = Field(default=0, sa_type=sa.BigInteger)
    job_id: str = Field(max_length=32)
    created_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None

    # A Resource for the core's `authorize`: a clip or an export is its owner's (share
    # links are tokens, not principals).
    @property
    def shared_with(self) -> frozenset[str]:
        return frozenset()


class ClipRow(_JobRow, table=True):
    __tablename__ = "clips"

    stream: str = Field(max_length=32)
    start_ts: float
    end_ts: float
    overlay: bool = True
    frames: int = 0
    duration_s: float | None = None
    share_token: str | None = Field(default=None, max_length=64, unique=True, index=True)
    share_expires_at: datetime | None = None


class ExportRow(_JobRow, table=True):
    __tablename__ = "session_exports"

    format: str = Field(max_length=16)
    stream: str | None = Field(default=None, max_length=32)
    start_ts: float = 0.0
    end_ts: float | None = None
