"""Viewer messages on `/pose`: watch a stream by its server-wide id, stop watching."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

STREAM_KEY_PATTERN = r"^st_[A-Za-z0-9_-]{12}$"
"""A stream's server-wide id ("st_" and 12 URL-safe characters)."""


class WatchRequest(BaseModel):
    """`watch` and `unwatch`: `{"stream": "st_…"}`."""

    model_config = ConfigDict(extra="forbid")

    stream: str = Field(pattern=STREAM_KEY_PATTERN)


class WatchAck(BaseModel):
    """The acknowledgement of `watch`: the stream, its owner's name for it, its engine."""

    model_config = ConfigDict(extra="forbid")

    ok: Literal[True] = True
    stream: str
    stream_id: str
    """The owner's name for the stream: the `stream_id` in the `pose` messages."""
    engine: str


class Unwatched(BaseModel):
    """Sent to a viewer when a watched stream ends (or the viewer is refused later)."""

    model_config = ConfigDict(extra="forbid")

    stream: str
    stream_id: str
    reason: Literal["ended"] = "ended"
