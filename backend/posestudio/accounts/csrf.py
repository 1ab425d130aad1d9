"""CSRF: an Origin check on unsafe requests, once, as ASGI middleware.

A browser adds `Origin` to every cross-site POST/PUT/PATCH/DELETE and a page cannot
forge it. So an unsafe request is refused when it names a foreign origin, and a
cookie-authenticated one (no Authorization header) is refused without any Origin.
Bearer-token clients (the CLI, the agent, scripts) send no cookie and are not affected.
"""

from __future__ import annotations

import json
from http.cookies import CookieError, SimpleCookie
from typing import Any
from urllib.parse import urlsplit

from posestudio.accounts.errors import CsrfRefused
from posestudio_core.auth import SESSION_COOKIE

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})

Scope = dict[str, Any]


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}


def _has_session_cookie(header: str) -> bool:
    cookies: SimpleCookie = SimpleCookie()
    try:
        cookies.load(header)
    except CookieError:
        return False
    return SESSION_COOKIE in cookies


def refusal(headers: dict[str, str], trusted: frozenset[str]) -> str | None:
    """Why an unsafe request is refused, or None when it may go on."""
    origin = headers.get("origin")
    cookie_auth = "authorization" not in headers and _has_session_cookie(headers.get("cookie", ""))
    if origin is None or origin == "null":
        return "a signed-in browser request must carry its Origin" if cookie_auth else None
    if origin.rstrip("/") in trusted:
        return None
    netloc = urlsplit(origin).netloc
    # The host the browser spoke to: Host, or the one nginx forwards.
    if netloc and netloc in {headers.get("host"), headers.get("x-forwarded-host")}:
        return None
    return f"origin {origin!r} is not this studio"


class OriginCheck:
    def __init__(self, app: Any, trusted_origins: list[str] | None = None) -> None:
        self.app = app
        self.trusted = frozenset(o.rstrip("/") for o in trusted_origins or [])

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["method"] not in SAFE_METHODS:
            reason = refusal(_headers(scope), self.trusted)
            if reason is not None:
                error = CsrfRefused(reason)
                body = json.dumps({"error": error.to_wire()}).encode()
                await send(
                    {
                        "type": "http.response.start",
                        "status": error.http_status,
                        "headers": [
                            (b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode()),
                        ],
                    }
                )
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)
