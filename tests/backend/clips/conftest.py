"""A sessions backend with Alice and Bob (operators) and a viewer, one per database kind
(shared by the package's modules),
with one recorded session of the real video (JPEGs kept) that the clip tests cut."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import orjson
import pytest

from posestudio_core.auth import Principal
from tests.utils.principals import ALICE, ALICE_TOKEN, BOB, BOB_TOKEN, TokensAuthenticator
from tests.utils.sessions import SessionsBackend, database_url, record_video, sessions_backend

VIEWER_TOKEN = "viewer-token-0123456789abcdef"
FRAMES = 24


@dataclass
class Recorded:
    backend: SessionsBackend
    session: dict[str, Any]
    key: str
    times: list[float]


@pytest.fixture(scope="package", params=("sqlite", "postgresql"))
def recorded(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Recorded]:
    people = TokensAuthenticator(
        {
            ALICE_TOKEN: ALICE,
            BOB_TOKEN: BOB,
            VIEWER_TOKEN: Principal(subject="user:viewer", role="viewer"),
        }
    )
    tmp = tmp_path_factory.mktemp("clips")
    with (
        database_url(request.param, tmp) as url,
        sessions_backend(url, tmp, authenticator=people, max_clip_seconds=60) as backend,
    ):
        session, _ = asyncio.run(record_video(backend.url, FRAMES, video=True))
        key = session["streams"][0]["key"]
        lines = backend.get(f"/api/sessions/{session['id']}/streams/{key}/poses").text
        times = [orjson.loads(line)["ts"] for line in lines.splitlines()]
        yield Recorded(backend, session, key, times)
