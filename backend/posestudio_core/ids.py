"""Identifier rules that more than one service checks, and how server-wide ids are made."""

from __future__ import annotations

import secrets

# A client's name for one of its streams (`start {stream_id}`, `/api/streams/...`); the
# agent's tools take the same names.
STREAM_ID_PATTERN = r"^[A-Za-z0-9_.:-]{1,64}$"


def new_id(prefix: str) -> str:
    """A server-wide id: a short prefix naming the kind (`st_`, `se_`, `cl_`, `jb_`, …) and
    72 random bits, URL-safe."""
    return prefix + secrets.token_urlsafe(9)
