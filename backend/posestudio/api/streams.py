"""Live streams with their rate, latency and drops, and pose statistics per stream."""

from __future__ import annotations

import time
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from posestudio.analysis import window_stats
from posestudio.deps import ManagerDep, SettingsDep, StreamReader
from posestudio.pairing.book import PHONE_SCOPES
from posestudio.pipeline.access import visible_stream
from posestudio.protocol.viewers import STREAM_KEY_PATTERN

router = APIRouter(prefix="/api", tags=["streams"])

StreamKey = Annotated[
    str, Path(pattern=STREAM_KEY_PATTERN, description="The stream's server-wide id")
]


@router.get("/streams")
def list_streams(principal: StreamReader, manager: ManagerDep) -> dict[str, Any]:
    """The caller's running streams and those shared with it (an admin's: everyone's).

    Each with fps, server time p50 and counts, its owner's display name, `shared`:
    true when someone else's stream is shared with the caller, and `paired`: true when
    a paired phone streams it (its token's scopes are the phone's).
    """
    now = time.monotonic()
    return {
        "streams": [
            {
                **stream.summary(now),
                "owner": stream.owner.display_name or stream.owner.subject,
                "shared": stream.owner.subject != principal.subject
                and principal.subject in stream.shared_with,
                "paired": stream.owner.scopes == PHONE_SCOPES,
            }
            for stream in manager.visible_to(principal)
        ]
    }


@router.get("/streams/{stream}/stats")
def stream_stats(
    principal: StreamReader,
    manager: ManagerDep,
    settings: SettingsDep,
    stream: StreamKey,
    window: Annotated[float, Query(gt=0, le=3600, description="Seconds of recent past")] = 30.0,
) -> dict[str, Any]:
    """Joint angles (min/mean/max, range of motion), visibility and time in view."""
    found = visible_stream(manager, principal, stream)
    window_s = min(window, settings.history_seconds)
    return {
        "id": found.id,
        "stream_id": found.name,
        "connection": found.connection[:8] if found.connection else None,
        "engine": found.engine_name,
        "window_s": window_s,
        **window_stats(found.history.window(time.time() - window_s)),
    }
