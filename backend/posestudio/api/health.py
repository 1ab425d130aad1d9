"""Liveness, readiness and Prometheus metrics."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from posestudio.deps import RegistryDep, SettingsDep, public
from posestudio.errors import Unauthorized
from posestudio_core.auth import scrape_allowed

# Probes and scrapers carry no person's credentials; /metrics has its own scrape token.
router = APIRouter(tags=["health"], dependencies=[Depends(public)])


@router.get("/health")
def health() -> dict[str, str]:
    """Liveness: the process answers."""
    return {"status": "ok"}


@router.get("/ready", responses={503: {"description": "No engine is loaded yet"}})
def ready(request: Request, registry: RegistryDep, settings: SettingsDep) -> Any:
    """Readiness: the default engine is loaded and streams can start."""
    engines = {info.name: info.loaded for info in registry.infos()}
    ok = engines.get(settings.default_engine, False) and not request.app.state.draining
    body = {"status": "ready" if ok else "not_ready", "engines": engines}
    return JSONResponse(body, status_code=200 if ok else 503)


@router.get("/metrics", response_class=Response)
def metrics(request: Request, settings: SettingsDep) -> Response:
    """Prometheus metrics (`pose_*`); behind a scrape token when one is set."""
    expected = settings.metrics_token.get_secret_value() if settings.metrics_token else None
    if not scrape_allowed(expected, request.headers.get("authorization")):
        raise Unauthorized("missing or wrong metrics token")
    data = generate_latest(request.app.state.metrics_registry)
    return Response(content=data, media_type=CONTENT_TYPE_LATEST)
