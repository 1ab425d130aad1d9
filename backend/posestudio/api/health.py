"""Liveness, readiness and Prometheus metrics."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request

from posestudio.engines import EngineRegistry
from posestudio.settings import Settings
from posestudio_core.deps import public
from posestudio_core.http import metrics_router, probe_router

router = APIRouter(tags=["health"])


# Probes and scrapers carry no person's credentials; /metrics has its own scrape token.
@router.get("/health", dependencies=[Depends(public)])
def health() -> dict[str, str]:
    """Liveness: the process answers."""
    return {"status": "ok"}


def _ready(request: Request) -> tuple[bool, dict[str, Any]]:
    registry: EngineRegistry = request.app.state.registry
    settings: Settings = request.app.state.settings
    engines = {info.name: info.loaded for info in registry.infos()}
    ok = engines.get(settings.default_engine, False) and not request.app.state.draining
    capacity = request.app.state.manager.capacity()
    body = {"status": "ready" if ok else "not_ready", "engines": engines, **capacity}
    return ok, body


router.include_router(
    probe_router(
        "/ready",
        _ready,
        summary="Readiness: the default engine is loaded and streams can start.",
        unavailable="No engine is loaded yet, or the server is shutting down",
    )
)
router.include_router(
    metrics_router(
        "/metrics", summary="Prometheus metrics (`pose_*`); behind a scrape token when one is set."
    )
)
