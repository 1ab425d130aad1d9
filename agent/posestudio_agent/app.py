"""The agent app factory: FastAPI under `/agent`, Socket.IO at `/agent/socket.io`."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any

import socketio
from fastapi import FastAPI
from prometheus_client import CollectorRegistry

from posestudio_agent import routes
from posestudio_agent.jobs import JobQueue
from posestudio_agent.metrics import AgentCollector
from posestudio_agent.publish import NAMESPACE, room
from posestudio_agent.settings import AgentSettings
from posestudio_agent.store import RequestStore
from posestudio_core.auth import Authenticator
from posestudio_core.http import service_app
from posestudio_core.permissions import Action
from posestudio_core.sockets import connect_principal

log = logging.getLogger(__name__)

SOCKETIO_PATH = "agent/socket.io"


class AgentNamespace(socketio.AsyncNamespace):  # type: ignore[misc]
    """`/agent`: authenticated connections join their person's room; results arrive there."""

    def __init__(self, authenticator: Authenticator) -> None:
        super().__init__(NAMESPACE)
        self.authenticator = authenticator

    async def on_connect(self, sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        # The authenticator may ask the backend over HTTP: off the event loop.
        principal = await asyncio.to_thread(
            connect_principal, self.authenticator, environ, auth, Action.AGENT_ASK
        )
        await self.enter_room(sid, room(principal.subject))


def make_sio(settings: AgentSettings, client_manager: Any = None) -> socketio.AsyncServer:
    """The `/agent` Socket.IO server; with Redis, a manager that hears RQ workers."""
    return socketio.AsyncServer(
        async_mode="asgi",
        namespaces=["/agent"],
        client_manager=client_manager,
        cors_allowed_origins=settings.cors_origins or None,
    )


def create_agent_app(
    settings: AgentSettings,
    store: RequestStore,
    queue: JobQueue,
    authenticator: Authenticator,
    sio: socketio.AsyncServer,
    *,
    on_startup: Sequence[Callable[[asyncio.AbstractEventLoop], None]] = (),
) -> socketio.ASGIApp:
    """Build the agent service from its parts; `on_startup` hooks get the server's loop."""
    sio.register_namespace(AgentNamespace(authenticator))
    # No auto-describe: describing would read the store (Redis) when the app is built.
    metrics_registry = CollectorRegistry(auto_describe=False)
    metrics_registry.register(AgentCollector(store, queue))

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        loop = asyncio.get_running_loop()
        for hook in on_startup:
            hook(loop)
        try:
            yield
        finally:
            await asyncio.to_thread(queue.close)

    app = service_app(
        settings,
        title="Pose Studio agent",
        description="Questions about your streams, answered from your pose data; "
        "see docs/agent.md.",
        lifespan=lifespan,
        authenticator=authenticator,
        metrics=metrics_registry,
        store=store,
        queue=queue,
        sio=sio,
    )

    app.include_router(routes.router)
    return socketio.ASGIApp(sio, other_asgi_app=app, socketio_path=SOCKETIO_PATH)


def fastapi_app(asgi: socketio.ASGIApp) -> FastAPI:
    """The FastAPI app inside the combined ASGI app."""
    app: FastAPI = asgi.other_asgi_app
    return app
