"""Live streams with their rate, latency and drops."""

from __future__ import annotations

import time
from typing import Any

from fastapi import APIRouter

from posestudio.deps import ManagerDep, PrincipalDep

router = APIRouter(prefix="/api", tags=["streams"])


@router.get("/streams")
def list_streams(_: PrincipalDep, manager: ManagerDep) -> dict[str, Any]:
    """Every running stream: fps over the last 5 s, server time p50, frame counts."""
    now = time.monotonic()
    return {"streams": [stream.summary(now) for stream in manager.all_streams()]}
