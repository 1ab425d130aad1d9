"""The `/pose` messages of recording (docs/sessions.md)."""

from __future__ import annotations

from pydantic import Field

from posestudio.protocol.messages import Message
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
