"""The app factory: FastAPI for HTTP, python-socketio for `/pose`, one ASGI app."""

from __future__ import annotations

import contextlib
import logging
import mimetypes
from collections.abc import AsyncIterator

import socketio
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from prometheus_client import CollectorRegistry

from posestudio.api import engines, health, streams, system, webrtc
from posestudio.body.stats import BodyCollector
from posestudio.gpu import GpuMonitor
from posestudio.metrics import PoseCollector
from posestudio.runtime import Runtime
from posestudio.transports.malformed import EdgeCollector
from posestudio.transports.webrtc_metrics import WebRTCCollector
from posestudio_core.http import service_app

log = logging.getLogger(__name__)


def create_app(runtime: Runtime) -> socketio.ASGIApp:
    """Serve a runtime. Its steps start with the app's lifespan (engines load in the
    background; `/ready` says when) and are undone in reverse when it ends."""
    settings, registry = runtime.settings, runtime.registry
    gpus = GpuMonitor()
    metrics_registry = CollectorRegistry(auto_describe=True)
    metrics_registry.register(BodyCollector(runtime.body))
    metrics_registry.register(
        PoseCollector(
            runtime.stats,
            runtime.manager.active_by_engine,
            lambda: {info.name: info.loaded for info in registry.infos()},
            gpus,
            runtime.manager.capacity,
        )
    )
    metrics_registry.register(WebRTCCollector(runtime.webrtc))
    metrics_registry.register(
        EdgeCollector(runtime.edge.counters, runtime.edge.throttle, runtime.sio.pending_count)
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await runtime.start()
        try:
            yield
        finally:
            app.state.draining = True
            await runtime.stop()

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
        edge=runtime.edge,
        webrtc=runtime.webrtc,
    )

    app.include_router(health.router)
    app.include_router(engines.router)
    app.include_router(streams.router)
    app.include_router(system.router)
    app.include_router(webrtc.router)
    if runtime.accounts is not None:
        runtime.accounts.install(app)
    if runtime.sessions is not None:
        runtime.sessions.install(app)
    if runtime.robots is not None:
        from posestudio.robots.metrics import RobotCollector

        runtime.robots.install(app)
        metrics_registry.register(RobotCollector(runtime.robots.hub))
    if settings.frontend_available:
        # The studio's static shell holds no data; every API behind it needs the token.
        # Its PWA manifest must come as a manifest whatever the system's mime.types say
        # (the service worker's `.js` is text/javascript in Python's own table).
        mimetypes.add_type("application/manifest+json", ".webmanifest")
        app.mount("/", StaticFiles(directory=settings.frontend_dir, html=True), name="studio")

    return socketio.ASGIApp(runtime.sio, other_asgi_app=app)


def fastapi_app(asgi: socketio.ASGIApp) -> FastAPI:
    """The FastAPI app inside the combined ASGI app (for tests and extensions)."""
    app: FastAPI = asgi.other_asgi_app
    return app
