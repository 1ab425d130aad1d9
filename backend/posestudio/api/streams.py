"""Live streams with their rate, latency and drops, and pose statistics per stream."""

from __future__ import annotations

import time
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from posestudio.analysis import window_stats
from posestudio.deps import ManagerDep, SettingsDep, StreamReader
from posestudio.errors import NotFound
from posestudio.protocol import STREAM_ID_PATTERN

router = APIRouter(prefix="/api", tags=["streams"])


@router.get("/streams")
def list_streams(_: StreamReader, manager: ManagerDep) -> dict[str, Any]:
    """Every running stream: fps over the last 5 s, server time p50, frame counts."""
    now = time.monotonic()
    return {"streams": [stream.summary(now) for stream in manager.all_streams()]}


@router.get("/streams/{stream_id}/stats")
def stream_stats(
    _: StreamReader,
    manager: ManagerDep,
    settings: SettingsDep,
    stream_id: Annotated[str, Path(pattern=STREAM_ID_PATTERN)],
    window: Annotated[float, Query(gt=0, le=3600, description="Seconds of recent past")] = 30.0,
) -> dict[str, Any]:
    """Joint angles (min/mean/max, range of motion), visibility and time in view."""
    matches = sorted(
        (s for s in manager.all_streams() if s.stream_id == stream_id),
        key=lambda s: s.started_at,
    )
    if not matches:
        raise NotFound(f"no running stream {stream_id!r}", details={"stream_id": stream_id})
    # Stream ids are per connection; the newest one is the one a person is looking at.
    stream = matches[-1]
    window_s = min(window, settings.history_seconds)
    body: dict[str, Any] = {
        "stream_id": stream_id,
        "connection": stream.sid[:8],
        "engine": stream.engine_name,
        "window_s": window_s,
        **window_stats(stream.history.window(time.time() - window_s)),
    }
    if len(matches) > 1:
        body["note"] = (
            f"{len(matches)} connections use stream id {stream_id!r}; "
            "these figures are from the most recently started one"
        )
    return body
