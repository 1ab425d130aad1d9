"""A real nginx on the rendered production config, in front of a real backend on
loopback: the built studio, the security headers, and a /pose stream end to end."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import ssl
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from posestudio.client import PoseClient
from posestudio.client.sources import read_frames
from posestudio.client.sources import test_video_path as video_path
from posestudio.imaging import encode_jpeg
from tests.deploy.helpers import Backend, wait_until
from tests.deploy.nginx.conftest import HOST, STUDIO
from tests.deploy.nginx.edge import Edge


@pytest.fixture
def https(edge: Edge) -> Iterator[httpx.Client]:
    verify = ssl.create_default_context(cafile=str(edge.ca))
    with httpx.Client(
        base_url=f"https://{HOST}:{edge.https_port}", verify=verify, timeout=10
    ) as client:
        yield client


def _security_headers(response: httpx.Response, port: int) -> None:
    csp = response.headers["content-security-policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["connect-src"] == f"'self' wss://{HOST}:{port}"
    assert directives["frame-ancestors"] == "'none'"
    assert "http" not in csp.replace(f"wss://{HOST}:{port}", ""), "no other origin (no CDNs)"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["strict-transport-security"].startswith("max-age=")
    assert "camera=(self)" in response.headers["permissions-policy"]


def test_serves_the_built_studio_uncached_with_security_headers(
    https: httpx.Client, edge: Edge
) -> None:
    for path in ("/", "/index.html", "/some/studio/route"):
        response = https.get(path)
        assert response.status_code == 200, path
        assert response.text == (STUDIO / "index.html").read_text()
        assert response.headers["cache-control"] == "no-cache"
        _security_headers(response, edge.https_port)


def test_hashed_assets_are_cached_for_a_year(https: httpx.Client, edge: Edge) -> None:
    assets = sorted((STUDIO / "assets").iterdir())
    assert assets, "the built studio has no assets/"
    for asset in assets[:5]:
        response = https.get(f"/assets/{asset.name}")
        assert response.status_code == 200
        assert response.content == asset.read_bytes()
        assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
        _security_headers(response, edge.https_port)
    assert https.get("/assets/missing-0000.js").status_code == 404


def test_proxies_ready_and_the_api_to_the_backend(
    https: httpx.Client, backend: Backend, edge: Edge
) -> None:
    ready = https.get("/ready")
    assert ready.status_code == 200 and ready.json()["status"] == "ready"
    _security_headers(ready, edge.https_port)
    engines = https.get("/api/engines", headers={"Authorization": f"Bearer {backend.token}"})
    assert engines.status_code == 200
    assert https.get("/api/engines").status_code == 401


def test_the_access_log_never_holds_the_token(
    https: httpx.Client, backend: Backend, edge: Edge
) -> None:
    # The studio is opened as /?token=… and the API takes ?token= too.
    assert https.get("/", params={"token": backend.token, "marker": "studio"}).status_code == 200
    engines = https.get("/api/engines", params={"token": backend.token, "marker": "api"})
    assert engines.status_code == 200
    log = edge.root / "logs" / "posestudio-production.access.log"

    # Requests on one connection are logged in order: the second's line comes last.
    wait_until(
        lambda: log.is_file() and "GET /api/engines" in log.read_text(),
        timeout=10,
        what="the requests in the access log",
    )
    assert backend.token not in log.read_text()


def test_metrics_stay_private(https: httpx.Client, backend: Backend) -> None:
    assert https.get("/agent/metrics").status_code == 404
    metrics = https.get("/metrics", headers={"Authorization": f"Bearer {backend.metrics_token}"})
    assert "pose_frames_received" not in metrics.text


def test_http_redirects_to_https_and_unknown_names_get_nothing(edge: Edge) -> None:
    response = httpx.get(f"http://{HOST}:{edge.http_port}/x?y=1", timeout=10)
    assert response.status_code == 301
    assert response.headers["location"] == f"https://{HOST}/x?y=1"
    with pytest.raises(httpx.HTTPError):
        httpx.get(
            f"http://127.0.0.1:{edge.http_port}/", headers={"Host": "other.example.com"}, timeout=10
        )


def test_a_frame_body_up_to_the_limit_is_let_through_and_a_larger_one_is_not(
    https: httpx.Client,
) -> None:
    polling = "/socket.io/?EIO=4&transport=polling&sid=unknown"
    assert https.post(polling, content=b"x" * (4 * 1024 * 1024)).status_code != 413
    assert https.post(polling, content=b"x" * (6 * 1024 * 1024)).status_code == 413


async def test_a_pose_stream_runs_end_to_end_through_socket_io(
    edge: Edge, backend: Backend
) -> None:
    frames = [encode_jpeg(rgb) for rgb in read_frames(video_path(), limit=30)]
    client = PoseClient(f"https://{HOST}:{edge.https_port}", backend.token, reconnect=False)
    # Verify nginx's certificate for real, against the test's own CA.
    client.sio.eio.websocket_extra_options = {
        "ssl": ssl.create_default_context(cafile=str(edge.ca))
    }

    async def camera() -> None:
        # Paced like a camera at ~30 fps, the video over and over, until told to stop: the
        # server keeps the latest frame, so how many it serves depends on this machine.
        for seq in itertools.count():
            await client.send("cam0", frames[seq % len(frames)], seq=seq)
            await asyncio.sleep(1 / 30)

    async with client:
        await client.start("cam0")
        poses: list[dict[str, Any]] = []
        sending = asyncio.ensure_future(camera())
        try:
            loop = asyncio.get_running_loop()
            deadline = loop.time() + 60
            while len(poses) < 10 and loop.time() < deadline:
                message = await client.next(timeout=max(0.1, deadline - loop.time()))
                assert message.event == "pose", message.data
                poses.append(message.data)
        finally:
            sending.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sending
        await client.stop("cam0")
    assert len(poses) >= 10
    assert all(p["stream_id"] == "cam0" for p in poses)
    seqs = [p["seq"] for p in poses]
    assert seqs == sorted(seqs)
    with_person = [p for p in poses if p["persons"]]
    assert with_person, "the test video shows a person"
    assert len(with_person[0]["persons"][0]["landmarks"]) == 33
    # nginx logs a WebSocket when it closes, just after the client has gone.
    log = edge.root / "logs" / "posestudio-production.access.log"

    def ours() -> list[str]:  # the browser test shares this nginx
        return [
            line
            for line in log.read_text().splitlines()
            if '"GET /socket.io/ ' in line and "aiohttp" in line
        ]

    wait_until(
        lambda: bool(ours()),
        timeout=30,
        what="nginx to log the WebSocket",
    )
    (line,) = ours()
    assert '" 101 ' in line, "the WebSocket upgrade went through nginx"
