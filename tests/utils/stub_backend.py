"""A stand-in for the backend's read API over real HTTP, with answers a test chooses.

For the agent's failure paths (a failing endpoint, data that tries to give orders) where
the real backend would not misbehave on cue. It also plays a search provider (`/search`)
so a test can prove that a disallowed web search never ran.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from tests.utils.servers import AiohttpThread


class StubBackend(AiohttpThread):
    def __init__(self, token: str) -> None:
        app = web.Application()
        app.router.add_get("/api/streams", self._streams)
        app.router.add_get("/api/streams/{stream_id}/stats", self._stats)
        app.router.add_get("/api/system", self._system)
        app.router.add_get("/search", self._search)
        super().__init__(app)
        self.token = token
        self.streams: list[dict[str, Any]] = []
        self.stats_status = 200
        self.stats_body: dict[str, Any] = {}
        self.hits: list[str] = []
        self.searches: list[str] = []

    def _authorized(self, request: web.Request) -> None:
        self.hits.append(request.path)
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            raise web.HTTPUnauthorized()

    async def _streams(self, request: web.Request) -> web.Response:
        self._authorized(request)
        return web.json_response({"streams": self.streams})

    async def _stats(self, request: web.Request) -> web.Response:
        self._authorized(request)
        return web.json_response(self.stats_body, status=self.stats_status)

    async def _system(self, request: web.Request) -> web.Response:
        self._authorized(request)
        return web.json_response({"cpu": {"count": 2}, "streams": len(self.streams)})

    async def _search(self, request: web.Request) -> web.Response:
        self.searches.append(request.query.get("q", ""))
        return web.json_response({"results": [{"title": "t", "url": "u", "content": "c"}]})
