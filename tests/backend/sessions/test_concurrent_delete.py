"""Deleting a session while it is exported or analysed: the server goes on, the export
is either whole or visibly cut short (never a short body that looks complete), and no
object of the session is left behind."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import httpx

from posestudio.sessions.synthetic import Squats, write_session
from tests.utils.principals import ALICE_TOKEN
from tests.utils.sessions import SessionsBackend

SPEC = Squats.regular(12, 3.0, duration_s=40.0)
FRAMES = 1200  # about 3.6 MB of JSON lines: more than the sockets hold in flight
AUTH = {"Authorization": f"Bearer {ALICE_TOKEN}"}


def squats(backend: SessionsBackend, spec: Squats = SPEC) -> str:
    return write_session(backend.sessions.database, backend.storage, spec, owner="user:alice")


def assert_gone(backend: SessionsBackend, sid: str) -> None:
    assert backend.storage.list(f"sessions/{sid}/") == []
    if backend.storage.kind == "local":  # no temporary or half-written file either
        folder = Path(backend.settings.data_dir) / "sessions" / sid
        assert not folder.exists() or not any(p.is_file() for p in folder.rglob("*"))
    assert backend.get(f"/api/sessions/{sid}").status_code == 404


def test_delete_during_a_streaming_export(backend: SessionsBackend) -> None:
    sid, other = squats(backend), squats(backend, Squats.regular(2, 3.0, duration_s=10.0))
    # A small receive window keeps the server's export generator waiting on the socket.
    transport = httpx.HTTPTransport(socket_options=[(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)])
    with (
        httpx.Client(transport=transport, headers=AUTH, timeout=30) as client,
        client.stream("GET", f"{backend.url}/api/sessions/{sid}/export.jsonl") as response,
    ):
        assert response.status_code == 200
        pieces = response.iter_bytes()
        received = next(pieces)
        assert backend.request("DELETE", f"/api/sessions/{sid}").status_code == 204
        try:
            for piece in pieces:
                received += piece
            whole = True
        except httpx.RemoteProtocolError:  # cut short: the body never ended properly
            whole = False
    lines = received.count(b"\n")
    print(f"\nexport {'completed' if whole else 'cut short'} after {lines} of {FRAMES} lines")
    if whole:
        assert lines == FRAMES
    else:
        assert lines < FRAMES
    assert_gone(backend, sid)
    # The server goes on: another session exports whole.
    again = backend.get(f"/api/sessions/{other}/export.jsonl")
    assert again.status_code == 200 and again.content.count(b"\n") == 300
    assert backend.get("/health").status_code == 200


async def test_concurrent_deletes_and_an_analysis_of_a_session_being_deleted(
    backend: SessionsBackend,
) -> None:
    sid = squats(backend)
    async with httpx.AsyncClient(base_url=backend.url, headers=AUTH, timeout=30) as http:
        analysed, *deleted = await asyncio.gather(
            http.get(f"/api/sessions/{sid}/analytics"),
            http.delete(f"/api/sessions/{sid}"),
            http.delete(f"/api/sessions/{sid}"),
        )
    assert analysed.status_code in (200, 404), analysed.text
    assert sorted(r.status_code for r in deleted) in ([204, 204], [204, 404])
    assert all(r.status_code < 500 for r in deleted)
    assert_gone(backend, sid)
    assert backend.get("/health").status_code == 200
