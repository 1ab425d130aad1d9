"""Shared clips: `/share/<token>` works without an account until the owner revokes it."""

from __future__ import annotations

import html
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request, Response
from fastapi.responses import HTMLResponse

from posestudio.api.clips import MP4
from posestudio.api.media import stored_object
from posestudio.api.sessions import SessionsDep
from posestudio_core.deps import public

router = APIRouter(tags=["clips"])

Token = Annotated[str, Path(min_length=16, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
# The page loads nothing else and runs no script; nobody can frame it.
PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": "default-src 'none'; media-src 'self'; style-src 'unsafe-inline'; "
    "frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex",
}
PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>body{{margin:0;background:#111;color:#ddd;font:16px system-ui,sans-serif;
display:flex;flex-direction:column;align-items:center;gap:8px;padding:16px}}
video{{max-width:100%;max-height:85vh}}</style></head>
<body><video controls playsinline preload="metadata" src="{video}" width="{width}"></video>
<p>{title}</p></body></html>
"""


@router.get("/share/{token}", response_class=HTMLResponse, dependencies=[Depends(public)])
def shared_page(token: Token, sessions: SessionsDep) -> HTMLResponse:
    """A small page that plays a shared clip."""
    row = sessions.clips.by_token(token)
    title = html.escape(f"Pose Studio clip · {row.duration_s or 0:.1f} s")
    page = PAGE.format(title=title, video=f"/share/{token}/video", width=640)
    return HTMLResponse(page, headers=PAGE_HEADERS)


@router.get("/share/{token}/video", response_class=Response, dependencies=[Depends(public)])
def shared_video(token: Token, sessions: SessionsDep, request: Request) -> Response:
    """A shared clip's MP4 (Range requests answered)."""
    row = sessions.clips.by_token(token)
    assert row.key is not None
    headers = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
    return stored_object(request, sessions.storage, row.key, row.bytes, MP4, headers)
