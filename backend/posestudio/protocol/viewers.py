"""Viewer messages on `/pose`: watch a stream by its server-wide id, stop watching."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from posestudio.protocol.messages import Message

STREAM_KEY_PATTERN = r"^st_[A-Za-z0-9_-]{12}$"
"""A stream's server-wide id ("st_" and 12 URL-safe characters)."""


class WatchRequest(Message):
    """`watch` and `unwatch`: `{"stream": "st_…"}` (acknowledged, or `Refused`)."""

    stream: str = Field(pattern=STREAM_KEY_PATTERN, description="the stream's server-wide id")


class WatchAck(Message):
    """The acknowledgement of `watch`: from now on the stream's `pose` messages come here."""

    ok: Literal[True] = True
    stream: str
    stream_id: str = Field(description="the owner's name: the `stream_id` of its poses")
    engine: str


class UnwatchAck(Message):
    """The acknowledgement of `unwatch`."""

    ok: Literal[True] = True
    stream: str


class Unwatched(Message):
    """`unwatched`, from server to a viewer: a watched stream ended."""

    stream: str
    stream_id: str
    reason: Literal["ended"] = "ended"
