"""What a request is and what its result looks like, on the wire and in the store."""

from __future__ import annotations

import enum
import time
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from posestudio_core.ids import STREAM_ID_PATTERN

StreamId = Annotated[str, Field(pattern=STREAM_ID_PATTERN)]


class Status(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    COMPLETE = "complete"
    FAILED = "failed"
    TIMEOUT = "timeout"

    @property
    def finished(self) -> bool:
        return self in (Status.COMPLETE, Status.FAILED, Status.TIMEOUT)


class AskContext(BaseModel):
    """What the person is looking at: a recorded session (and where its playhead is)."""

    model_config = ConfigDict(extra="forbid")

    session_id: str | None = Field(
        None, min_length=4, max_length=16, pattern=r"^se_[A-Za-z0-9_-]+$"
    )
    ts: float | None = Field(None, ge=0, description="the replay's position, session seconds")


class InvokeRequest(BaseModel):
    """`POST /agent/invoke`."""

    model_config = ConfigDict(extra="forbid")

    question: str = Field(min_length=1, max_length=10_000)
    stream_ids: list[StreamId] | None = Field(None, max_length=10)
    session_id: str | None = Field(None, max_length=128, pattern=r"^[A-Za-z0-9_.:-]+$")
    context: AskContext | None = None


class Invoked(BaseModel):
    request_id: str


class ToolCallRecord(BaseModel):
    name: str
    args: dict[str, Any] = Field(default_factory=dict)
    ok: bool


class RelevantTimestamp(BaseModel):
    stream_id: str
    ts: float = Field(
        description="Epoch milliseconds, in the frames' capture_ts domain; with a session "
        "in the request's context, seconds of that session"
    )
    label: str


class ErrorBody(BaseModel):
    code: str
    message: str


class AgentRecord(BaseModel):
    """One request and its result, as stored (with a TTL) and as served."""

    request_id: str
    subject: str
    question: str
    stream_ids: list[str] = Field(default_factory=list)
    session_id: str | None = None
    context: AskContext | None = None
    created: float = Field(default_factory=time.time)
    finished: float | None = None
    status: Status = Status.QUEUED
    answer: str | None = None
    tool_calls: list[ToolCallRecord] = Field(default_factory=list)
    relevant_timestamps: list[RelevantTimestamp] = Field(default_factory=list)
    error: ErrorBody | None = None

    def public(self) -> dict[str, Any]:
        """The body of `GET /agent/result/{id}` and of the `agent_result` event."""
        body = self.model_dump(
            mode="json",
            include={
                "request_id",
                "session_id",
                "context",
                "status",
                "answer",
                "tool_calls",
                "relevant_timestamps",
                "error",
            },
        )
        if body["answer"] is None:
            del body["answer"]
        if body["error"] is None:
            del body["error"]
        if body["context"] is None:
            del body["context"]
        return body
