"""The path dispatcher behind `posestudio serve`: routes by prefix, fans out lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from fastapi import FastAPI

from posestudio_cli.dispatch import PathDispatcher
from tests.utils.servers import uvicorn_server


def app_named(name: str, events: list[str]) -> FastAPI:
    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        events.append(f"{name} started")
        yield
        events.append(f"{name} stopped")

    app = FastAPI(lifespan=lifespan)

    @app.get("/{path:path}")
    def where(path: str) -> dict[str, str]:
        return {"app": name, "path": "/" + path}

    return app


async def no_lifespan(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """An ASGI app that only speaks HTTP, as some do."""
    if scope["type"] != "http":
        raise RuntimeError("http only")
    await send({"type": "http.response.start", "status": 204, "headers": []})
    await send({"type": "http.response.body", "body": b""})


async def test_routes_by_prefix_and_runs_every_lifespan() -> None:
    events: list[str] = []
    dispatcher = PathDispatcher(
        app_named("backend", events),
        {"/agent": app_named("agent", events), "/plain": no_lifespan},
    )
    with uvicorn_server(dispatcher) as url:
        assert events == ["backend started", "agent started"]
        async with httpx.AsyncClient(base_url=url) as http:
            assert (await http.get("/agent/result/1")).json() == {
                "app": "agent",
                "path": "/agent/result/1",
            }
            assert (await http.get("/agent")).json()["app"] == "agent"
            assert (await http.get("/agents")).json()["app"] == "backend"
            assert (await http.get("/api/streams")).json()["app"] == "backend"
            assert (await http.get("/plain/x")).status_code == 204
    assert events[2:] == ["backend stopped", "agent stopped"]
