"""The app factory: FastAPI for HTTP, python-socketio for `/pose`, one ASGI app."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

import socketio
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from prometheus_client import CollectorRegistry

from posestudio.api import engines, health, streams, system
from posestudio.gpu import GpuMonitor
from posestudio.metrics import PoseCollector
from posestudio.runtime import Runtime
from posestudio_core.http import service_app

if TYPE_CHECKING:
    from posestudio.accounts.service import Accounts
    from posestudio.sessions.service import Sessions

log = logging.getLogger(__name__)


def create_app(
    runtime: Runtime, *, accounts: Accounts | None = None, sessions: Sessions | None = None
) -> socketio.ASGIApp:
    """Serve a runtime. Its steps start with the app's lifespan (engines load in the
    background; `/ready` says when) and are undone in reverse when it ends."""
    settings, registry = runtime.settings, runtime.registry
    gpus = GpuMonitor()
    metrics_registry = CollectorRegistry(auto_describe=True)
    metrics_registry.register(
        PoseCollector(
            runtime.stats,
            runtime.manager.active_by_engine,
            lambda: {info.name: info.loaded for info in registry.infos()},
            gpus,
        )
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if accounts is not None:
            await asyncio.to_thread(accounts.start)
        if sessions is not None:
            await asyncio.to_thread(sessions.start)
            sessions.bind(asyncio.get_running_loop())
        await runtime.start()
        try:
            yield
        finally:
            app.state.draining = True
            await runtime.stop()
            if sessions is not None:
                # After the streams closed: every recording flushes and completes.
                await asyncio.to_thread(sessions.close)
            if accounts is not None:
                accounts.close()

    app = service_app(
        settings,
        title="Pose Studio",
        description="Real-time 33-landmark pose over Socket.IO (`/pose`); see docs/protocol.md.",
        lifespan=lifespan,
        authenticator=runtime.authenticator,
        metrics=metrics_registry,
        runtime=runtime,
        registry=registry,
        manager=runtime.manager,
        stats=runtime.stats,
        sio=runtime.sio,
        gpus=gpus,
        draining=False,
    )

    app.include_router(health.router)
    app.include_router(engines.router)
    app.include_router(streams.router)
    app.include_router(system.router)
    if accounts is not None:
        accounts.install(app)
    if sessions is not None:
        sessions.attach(runtime)
        sessions.install(app)
    if settings.frontend_available:
        # The studio's static shell holds no data; every API behind it needs the token.
        app.mount("/", StaticFiles(directory=settings.frontend_dir, html=True), name="studio")

    return socketio.ASGIApp(runtime.sio, other_asgi_app=app)


def fastapi_app(asgi: socketio.ASGIApp) -> FastAPI:
    """The FastAPI app inside the combined ASGI app (for tests and extensions)."""
    app: FastAPI = asgi.other_asgi_app
    return app
