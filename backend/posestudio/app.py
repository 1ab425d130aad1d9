"""The app factory: FastAPI for HTTP, python-socketio for `/pose`, one ASGI app."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import socketio
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from prometheus_client import CollectorRegistry

from posestudio.api import engines, health, streams, system
from posestudio.engines import EngineRegistry
from posestudio.gpu import GpuMonitor
from posestudio.metrics import PoseCollector, ServerStats
from posestudio.protocol.packet import FastPacket
from posestudio.realtime import PoseNamespace
from posestudio.settings import Settings
from posestudio.streams import StreamManager
from posestudio_core.auth import Authenticator
from posestudio_core.http import service_app

log = logging.getLogger(__name__)

# Socket.IO lets a message through up to this many bytes over the frame limit, so
# that a frame somewhat too large is answered with FRAME_TOO_LARGE instead of the
# transport closing the connection.
FRAME_OVERHEAD_BYTES = 64 * 1024


def create_app(
    settings: Settings,
    registry: EngineRegistry,
    authenticator: Authenticator,
    *,
    executor: ThreadPoolExecutor | None = None,
) -> socketio.ASGIApp:
    """Build the backend. Engines load in the background; `/ready` says when."""
    executor = executor or ThreadPoolExecutor(
        max_workers=settings.workers, thread_name_prefix="pose-worker"
    )
    stats = ServerStats()
    sio = socketio.AsyncServer(
        async_mode="asgi",
        serializer=FastPacket,
        # Only /pose: python-socketio would otherwise accept the default namespace `/`
        # without any check (it has no handlers, but a connection is a connection).
        namespaces=["/pose"],
        cors_allowed_origins=settings.cors_origins or None,
        max_http_buffer_size=settings.max_frame_bytes * 2 + FRAME_OVERHEAD_BYTES,
        ping_interval=10,
        ping_timeout=10,
    )

    async def emit(sid: str, event: str, payload: dict[str, Any]) -> None:
        await sio.emit(event, payload, to=sid, namespace="/pose")

    manager = StreamManager(settings, registry, stats, executor, emit)
    sio.register_namespace(PoseNamespace(manager, authenticator, stats))

    gpus = GpuMonitor()
    metrics_registry = CollectorRegistry(auto_describe=True)
    metrics_registry.register(
        PoseCollector(
            stats,
            manager.active_by_engine,
            lambda: {info.name: info.loaded for info in registry.infos()},
            gpus,
        )
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        loading = asyncio.gather(
            *(asyncio.to_thread(registry.load, name) for name in registry.names)
        )
        app.state.loading = loading
        try:
            yield
        finally:
            app.state.draining = True
            loading.cancel()
            await manager.close()
            executor.shutdown(wait=True, cancel_futures=True)
            # Off the loop: it waits for engine loads still running and closes theirs.
            await asyncio.to_thread(registry.close)

    app = service_app(
        settings,
        title="Pose Studio",
        description="Real-time 33-landmark pose over Socket.IO (`/pose`); see docs/protocol.md.",
        lifespan=lifespan,
        authenticator=authenticator,
        metrics=metrics_registry,
        registry=registry,
        manager=manager,
        stats=stats,
        sio=sio,
        gpus=gpus,
        draining=False,
    )

    app.include_router(health.router)
    app.include_router(engines.router)
    app.include_router(streams.router)
    app.include_router(system.router)
    if settings.frontend_available:
        # The studio's static shell holds no data; every API behind it needs the token.
        app.mount("/", StaticFiles(directory=settings.frontend_dir, html=True), name="studio")

    return socketio.ASGIApp(sio, other_asgi_app=app)


def fastapi_app(asgi: socketio.ASGIApp) -> FastAPI:
    """The FastAPI app inside the combined ASGI app (for tests and extensions)."""
    app: FastAPI = asgi.other_asgi_app
    return app
