"""Serving a stored object over HTTP with Range requests (browsers seek in a <video>)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from fastapi import Request, Response
from fastapi.responses import StreamingResponse

from posestudio.storage import Storage

PIECE = 1 << 20
_RANGE = re.compile(r"bytes=(\d*)-(\d*)$")


def _pieces(storage: Storage, key: str, start: int, end: int) -> Iterator[bytes]:
    """Bytes start..end (inclusive), a piece at a time."""
    at = start
    while at <= end:
        length = min(PIECE, end - at + 1)
        yield storage.get_range(key, at, length)
        at += length


def stored_object(
    request: Request,
    storage: Storage,
    key: str,
    size: int,
    media_type: str,
    headers: dict[str, str] | None = None,
) -> Response:
    """The whole object (200), one range of it (206), or 416 for a range outside it.

    One range per request (what browsers ask for); a multi-range request gets the whole.
    """
    base = {"Accept-Ranges": "bytes", **(headers or {})}
    wanted = request.headers.get("range")
    match = _RANGE.match(wanted.strip()) if wanted else None
    if match is None or not any(match.groups()):
        base["Content-Length"] = str(size)
        return StreamingResponse(storage.iter_bytes(key), media_type=media_type, headers=base)
    first, last = match.groups()
    if first == "":  # the last N bytes
        start, end = max(0, size - int(last)), size - 1
    else:
        start = int(first)
        end = min(int(last), size - 1) if last else size - 1
    if start >= size or start > end:
        return Response(status_code=416, headers={**base, "Content-Range": f"bytes */{size}"})
    base["Content-Range"] = f"bytes {start}-{end}/{size}"
    base["Content-Length"] = str(end - start + 1)
    return StreamingResponse(
        _pieces(storage, key, start, end), status_code=206, media_type=media_type, headers=base
    )
