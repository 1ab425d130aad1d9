"""The `/pose` messages of recording sessions (docs/sessions.md)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from posestudio.protocol.messages import ErrorBody, Message
from posestudio_core.ids import STREAM_ID_PATTERN


class RecordRequest(Message):
    """`record`: start a session over one, some or all of the caller's running streams."""

    stream_id: str | None = Field(None, pattern=STREAM_ID_PATTERN)
    streams: list[str] | None = Field(None, max_length=256)
    name: str | None = Field(None, min_length=1, max_length=200)
    tags: list[str] = Field(default_factory=list, max_length=20)
    video: bool = False


class StopRecordRequest(Message):
    """`stop_record`: stop a recording session."""

    session_id: str = Field(min_length=1, max_length=16)


class RecordingEvent(Message):
    """`recording`: a session's progress, about once a second, and once more at its end."""

    session_id: str
    status: Literal["recording", "complete", "interrupted"]
    elapsed_s: float
    frames: int
    bytes: int
    stop_reason: str | None = Field(description="set once the session has ended")
    error: ErrorBody | None = Field(description="why it stopped, when a limit or failure ended it")
