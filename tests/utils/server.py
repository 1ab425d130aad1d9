"""A real backend on a real socket, run by uvicorn in a thread of the test process."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import httpx
import uvicorn

from posestudio.app import create_app, fastapi_app
from posestudio.engines import EngineRegistry
from posestudio.runtime import Runtime, build_runtime
from posestudio.settings import Settings
from posestudio.transports.limits import guard, server_options
from posestudio_core.auth import Authenticator, TokenAuthenticator
from tests.utils.serverlogs import attach_to_uvicorn

if TYPE_CHECKING:
    from posestudio.sessions.service import Sessions

TOKEN = "test-token-0123456789abcdef"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until(predicate: Any, timeout: float = 30.0, interval: float = 0.05) -> None:
    """Poll `predicate` until it is true; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise TimeoutError(f"condition not met within {timeout} s")


def wait_for(predicate: Any, timeout: float, what: str) -> Any:
    """Poll `predicate` until it returns something true, and return that; fail naming `what`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)  # polling a condition
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


class LiveServer:
    """Start, stop and restart a backend on a fixed loopback port."""

    def __init__(
        self,
        settings: Settings | None = None,
        port: int | None = None,
        authenticator: Authenticator | None = None,
        configure: Callable[[Runtime], None] | None = None,
        registry: EngineRegistry | None = None,
        sessions: Sessions | None = None,
    ) -> None:
        self.port = port or free_port()
        self.settings = settings or Settings(environment="test")
        self.url = f"http://127.0.0.1:{self.port}"
        self.token = TOKEN
        self.authenticator = authenticator or TokenAuthenticator(self.token)
        self.configure = configure
        self.registry = registry
        self.sessions = sessions
        self.runtime: Runtime | None = None
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.asgi: Any = None

    @property
    def app(self) -> Any:
        return fastapi_app(self.asgi)

    def start(self) -> LiveServer:
        self.runtime = build_runtime(
            self.settings,
            authenticator=self.authenticator,
            registry=self.registry,
            sessions=self.sessions,
        )
        if self.configure is not None:
            self.configure(self.runtime)
        self.asgi = create_app(self.runtime)
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", self.port))
        # The same edge limits and parser settings as `posestudio serve`.
        config = uvicorn.Config(
            guard(self.asgi, self.settings, self.app.state.edge),
            log_level="warning",
            lifespan="on",
            **server_options(self.settings),
        )
        attach_to_uvicorn()  # its log lines are kept for the session's token check
        server = uvicorn.Server(config)
        self._server = server
        self._thread = threading.Thread(
            target=lambda: asyncio.run(server.serve(sockets=[sock])), daemon=True
        )
        self._thread.start()
        wait_until(self.ready, timeout=60)
        return self

    def ready(self) -> bool:
        try:
            return httpx.get(f"{self.url}/ready", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=30)
            self._server = self._thread = None

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        headers = kwargs.pop("headers", {"Authorization": f"Bearer {self.token}"})
        return httpx.get(f"{self.url}{path}", headers=headers, timeout=10, **kwargs)
