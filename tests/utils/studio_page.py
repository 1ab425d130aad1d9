"""The studio page as the browser tests drive it: a tile's figures, the server's streams,
the Ask panel and the frames of its `/agent` socket."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from playwright.sync_api import Page, WebSocket, expect

from tests.utils.studio_backend import Backend


def open_studio(page: Page, backend: Backend) -> None:
    """Open the studio with the backend's token and wait until it is connected."""
    page.goto(f"{backend.url}/?token={backend.token}")
    expect(page.get_by_test_id("connection-status")).to_have_text("connected", timeout=15_000)


def tile_number(page: Page, tile: int, test_id: str) -> float:
    """A tile's figure by its test id (NaN while it shows none)."""
    text = page.get_by_test_id("stream-tile").nth(tile).get_by_test_id(test_id).inner_text()
    return float(text) if text not in ("", "\u2013") else float("nan")


def server_streams(backend: Backend) -> list[dict[str, Any]]:
    """`GET /api/streams` as the backend's token sees it."""
    response = backend.api("GET", "/api/streams")
    response.raise_for_status()
    streams: list[dict[str, Any]] = response.json()["streams"]
    return streams


QUESTION = "How is my left knee moving?"
AGENT_SOCKET = "/agent/socket.io/"


def open_ask_panel(page: Page) -> tuple[WebSocket, list[str]]:
    """Open the Ask panel; returns its `/agent` Socket.IO connection and the frames it
    receives, recorded from the first (the listener is attached as the socket opens)."""
    frames: list[str] = []
    sockets: list[WebSocket] = []

    def on_websocket(ws: WebSocket) -> None:
        if AGENT_SOCKET in ws.url:
            sockets.append(ws)
            ws.on("framereceived", lambda f: frames.append(f if isinstance(f, str) else f.decode()))

    page.on("websocket", on_websocket)
    with page.expect_websocket(lambda ws: AGENT_SOCKET in ws.url):
        page.get_by_test_id("ask-button").click()
    expect(page.get_by_test_id("ask-panel")).to_be_visible()
    return sockets[0], frames


def received(ws: WebSocket, frames: list[str], match: Callable[[str], bool]) -> str:
    """The first frame received that matches, waiting for it if it has not come yet."""
    # Playwright delivers events only inside its own calls: none arrives between the
    # look at `frames` and the wait, so none is missed.
    seen = next((f for f in frames if match(f)), None)
    if seen is not None:
        return seen
    ws.wait_for_event(
        "framereceived",
        predicate=lambda f: match(f if isinstance(f, str) else f.decode()),
        timeout=30_000,
    )
    return next(f for f in frames if match(f))
