"""The scheme a connection really has, told to engine.io.

engine.io's ASGI driver takes the scheme only from `X-Forwarded-Proto` (else "http"), so
under `serve --https` its same-origin check compared a browser's `https://host` with
`http://host` and refused every WebSocket (403). Inside the edge guard the scope's
scheme is the truth (the edge has already dropped untrusted forwarded headers and
applied trusted ones), so the header is set from it.
"""

from __future__ import annotations

from posestudio.transports.edge import ASGIApp, Receive, Scope, Send


class TrueScheme:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket") and scope.get("scheme") in ("https", "wss"):
            headers = [(k, v) for k, v in scope["headers"] if k != b"x-forwarded-proto"]
            scope = {**scope, "headers": [*headers, (b"x-forwarded-proto", b"https")]}
        await self.app(scope, receive, send)
