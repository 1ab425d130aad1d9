"""The app factory: FastAPI for HTTP, python-socketio for `/pose`, one ASGI app."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import socketio
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from prometheus_client import CollectorRegistry

from posestudio.api import engines, health, streams, system
from posestudio.engines import EngineRegistry
from posestudio.gpu import GpuMonitor
from posestudio.metrics import PoseCollector, ServerStats
from posestudio.realtime import NAMESPACE, PoseNamespace
from posestudio.settings import Settings
from posestudio.streams import StreamManager
from posestudio.transports.guarded_server import GuardedServer
from posestudio.transports.limits import Edge, build_edge, max_message_bytes
from posestudio.transports.malformed import EdgeCollector
from posestudio_core.auth import Authenticator
from posestudio_core.http import service_app

if TYPE_CHECKING:
    from posestudio.accounts.service import Accounts

log = logging.getLogger(__name__)


def create_app(
    settings: Settings,
    registry: EngineRegistry,
    authenticator: Authenticator,
    *,
    executor: ThreadPoolExecutor | None = None,
    edge: Edge | None = None,
    accounts: Accounts | None = None,
) -> socketio.ASGIApp:
    """Build the backend. Engines load in the background; `/ready` says when.

    `edge` is shared with the `EdgeGuard` the server puts in front (transports/limits.py).
    """
    executor = executor or ThreadPoolExecutor(
        max_workers=settings.workers, thread_name_prefix="pose-worker"
    )
    edge = edge or build_edge(settings)
    stats = ServerStats()
    # hardening (issue 18): limits before authentication, every packet answered.
    sio = GuardedServer(
        async_mode="asgi",
        # Only /pose: python-socketio would otherwise accept the default namespace `/`
        # without any check (it has no handlers, but a connection is a connection).
        namespace=NAMESPACE,
        throttle=edge.throttle,
        counters=edge.counters,
        errors=stats.errors,
        connect_timeout_s=settings.engineio_connect_timeout_s,
        max_pending_per_address=settings.max_pending_sessions_per_address,
        transports=["polling", "websocket"] if settings.allow_polling else ["websocket"],
        cors_allowed_origins=settings.cors_origins or None,
        max_http_buffer_size=max_message_bytes(settings),
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
    metrics_registry.register(EdgeCollector(edge.counters, edge.throttle, sio.pending_count))

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if accounts is not None:
            await asyncio.to_thread(accounts.start)
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
            if accounts is not None:
                accounts.close()

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
        edge=edge,
    )

    app.include_router(health.router)
    app.include_router(engines.router)
    app.include_router(streams.router)
    app.include_router(system.router)
    if accounts is not None:
        accounts.install(app)
    if settings.frontend_available:
        # The studio's static shell holds no data; every API behind it needs the token.
        app.mount("/", StaticFiles(directory=settings.frontend_dir, html=True), name="studio")

    return socketio.ASGIApp(sio, other_asgi_app=app)


def fastapi_app(asgi: socketio.ASGIApp) -> FastAPI:
    """The FastAPI app inside the combined ASGI app (for tests and extensions)."""
    app: FastAPI = asgi.other_asgi_app
    return app
