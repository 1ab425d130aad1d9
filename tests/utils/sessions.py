"""Sessions test parts: the real app with sessions on loopback, a real S3-compatible
server (moto's standalone server) on loopback, and a recording client."""

from __future__ import annotations

import asyncio
import secrets
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest
from moto.server import ThreadedMotoServer

from posestudio.app import create_app
from posestudio.client import PoseClient, PoseClientError
from posestudio.client.connection import NAMESPACE
from posestudio.runtime import build_runtime
from posestudio.sessions.service import Sessions
from posestudio.settings import Settings
from posestudio.storage import Storage
from posestudio.storage.local import LocalStorage
from posestudio.storage.s3 import S3Storage
from posestudio_core.auth import Authenticator
from tests.utils.accounts import postgres_database
from tests.utils.principals import ALICE_TOKEN, BOB_TOKEN, two_people
from tests.utils.servers import uvicorn_server

S3_KEY = "testing-key"
S3_SECRET = "testing-secret"


@dataclass
class SessionsBackend:
    url: str
    sessions: Sessions
    storage: Storage
    settings: Settings

    def get(
        self,
        path: str,
        token: str = ALICE_TOKEN,
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        headers = {**_auth(token), **(headers or {})}
        return httpx.get(f"{self.url}{path}", headers=headers, timeout=30, **kwargs)

    def request(
        self, method: str, path: str, token: str = ALICE_TOKEN, **kwargs: Any
    ) -> httpx.Response:
        return httpx.request(
            method, f"{self.url}{path}", headers=_auth(token), timeout=30, **kwargs
        )

    def session(self, session_id: str, token: str = ALICE_TOKEN) -> dict[str, Any]:
        response = self.get(f"/api/sessions/{session_id}", token)
        assert response.status_code == 200, response.text
        data: dict[str, Any] = response.json()
        return data


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def moto_s3() -> Iterator[str]:
    """moto's standalone S3-compatible server on a free loopback port; yields its URL."""
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


def s3_storage(endpoint: str, **kwargs: Any) -> S3Storage:
    """A fresh bucket on the server, and the storage over it."""
    bucket = f"sessions-{secrets.token_hex(4)}"
    s3_client(endpoint).create_bucket(Bucket=bucket)
    return S3Storage(
        bucket=bucket,
        endpoint_url=endpoint,
        access_key_id=S3_KEY,
        secret_access_key=S3_SECRET,
        **kwargs,
    )


def s3_client(endpoint: str) -> Any:
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=S3_KEY,
        aws_secret_access_key=S3_SECRET,
    )


@contextmanager
def sessions_backend(
    database_url: str,
    data_dir: Path,
    storage: Storage | None = None,
    authenticator: Authenticator | None = None,
    **overrides: Any,
) -> Iterator[SessionsBackend]:
    """The real app with sessions (by default two people: Alice and Bob, operators)."""
    settings = Settings(
        environment="test",
        data_dir=data_dir,
        database_url=database_url,
        max_fps=240,
        **overrides,
    )
    storage = storage or LocalStorage(data_dir)
    sessions = Sessions(settings, storage=storage)
    runtime = build_runtime(
        settings, authenticator=authenticator or two_people(), sessions=sessions
    )
    app = create_app(runtime)
    with uvicorn_server(app) as url:
        yield SessionsBackend(url, sessions, storage, settings)


@contextmanager
def database_url(kind: str, tmp: Path) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{tmp / 'posestudio.db'}"
    else:
        with postgres_database() as url:
            yield url


@pytest.fixture(scope="module", params=("sqlite", "postgresql"))
def backend(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SessionsBackend]:
    """One backend per test module and database kind; SETTINGS in the module add to it."""
    overrides = getattr(request.module, "SETTINGS", {})
    tmp = tmp_path_factory.mktemp("sessions")
    with database_url(request.param, tmp) as url, sessions_backend(url, tmp, **overrides) as b:
        yield b


@dataclass
class Recorder:
    """A pose client that also hears `recording` events."""

    client: PoseClient
    recordings: list[dict[str, Any]] = field(default_factory=list)
    clips: list[dict[str, Any]] = field(default_factory=list)
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    @classmethod
    async def connect(cls, url: str, token: str = ALICE_TOKEN) -> Recorder:
        client = PoseClient(url, token, reconnect=False)
        recorder = cls(client)

        async def on_recording(data: dict[str, Any]) -> None:
            recorder.recordings.append(data)
            recorder.changed.set()

        async def on_clip(data: dict[str, Any]) -> None:
            recorder.clips.append(data)
            recorder.changed.set()

        client.sio.on("recording", on_recording, namespace=NAMESPACE)
        client.sio.on("clip", on_clip, namespace=NAMESPACE)
        await client.connect()
        return recorder

    async def record(self, **options: Any) -> dict[str, Any]:
        reply = await self.client.call_raw("record", options)
        if not reply.get("ok"):
            raise PoseClientError(reply.get("error", {}))
        session: dict[str, Any] = reply["session"]
        return session

    async def stop_record(self, session_id: str) -> dict[str, Any]:
        reply = await self.client.call_raw("stop_record", {"session_id": session_id})
        if not reply.get("ok"):
            raise PoseClientError(reply.get("error", {}))
        session: dict[str, Any] = reply["session"]
        return session

    async def final(self, session_id: str, timeout: float = 30.0) -> dict[str, Any]:
        """The `recording` event that ends a session."""
        deadline = time.monotonic() + timeout
        while True:
            for event in self.recordings:
                if event["session_id"] == session_id and event["status"] != "recording":
                    return event
            self.changed.clear()
            await asyncio.wait_for(self.changed.wait(), max(0.01, deadline - time.monotonic()))

    async def clip_done(self, clip_id: str, timeout: float = 60.0) -> list[dict[str, Any]]:
        """The `clip` events of one clip, up to the one that ends it."""
        deadline = time.monotonic() + timeout
        while True:
            events = [e for e in self.clips if e["id"] == clip_id]
            if events and events[-1]["status"] in ("complete", "failed"):
                return events
            self.changed.clear()
            await asyncio.wait_for(self.changed.wait(), max(0.01, deadline - time.monotonic()))

    async def close(self) -> None:
        await self.client.close()


async def record_video(
    url: str, frames: int, *, video: bool, token: str = ALICE_TOKEN
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Record `frames` frames of the real video (320x240) on one stream; (session, poses)."""
    from tests.utils.frames import send_and_wait, video_jpegs

    recorder = await Recorder.connect(url, token)
    try:
        await recorder.client.start("cam")
        session = await recorder.record(video=video)
        poses = []
        for jpeg in video_jpegs(320, 240)[:frames]:
            poses.append((await send_and_wait(recorder.client, "cam", jpeg)).data)
        final = await recorder.stop_record(session["id"])
    finally:
        await recorder.close()
    return final, poses


__all__ = ["ALICE_TOKEN", "BOB_TOKEN", "Recorder", "SessionsBackend", "backend"]
