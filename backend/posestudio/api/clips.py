"""Clips: an MP4 of a span of one recorded stream, rendered by a job (docs/sessions.md).

Another person's clip answers exactly like an unknown one (404 NOT_FOUND).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request, Response

from posestudio.api.media import stored_object
from posestudio.api.sessions import Reader, SessionId, SessionsDep, _visible
from posestudio.errors import NotFound
from posestudio.protocol.clips import Clip, ClipCreate, ClipList, ShareCreate, ShareLink
from posestudio_core.auth import Principal
from posestudio_core.deps import require
from posestudio_core.permissions import Action

router = APIRouter(tags=["clips"])

Clipper = Annotated[Principal, Depends(require(Action.CLIP_CREATE))]
ClipId = Annotated[str, Path(min_length=1, max_length=16, pattern=r"^cl_[A-Za-z0-9_-]+$")]
MP4 = "video/mp4"


@router.post("/api/clips", status_code=202, response_model=Clip)
def create_clip(body: ClipCreate, principal: Clipper, sessions: SessionsDep) -> Clip:
    """Render a span of a recorded stream as an MP4 (a job; poll it or hear `clip`)."""
    row = _visible(sessions, principal, body.session_id, Action.CLIP_CREATE)
    clips = sessions.clips
    return clips.clip_public(clips.create_clip(principal, body, row))


@router.get("/api/clips/{clip_id}", response_model=Clip)
def get_clip(clip_id: ClipId, principal: Reader, sessions: SessionsDep) -> Clip:
    """A clip: its status, progress and, once complete, its URL."""
    clips = sessions.clips
    return clips.clip_public(clips.clip_visible(principal, clip_id))


@router.get("/api/clips/{clip_id}/video", response_class=Response)
def clip_video(
    clip_id: ClipId, principal: Reader, sessions: SessionsDep, request: Request
) -> Response:
    """The clip's MP4 (Range requests answered, so players can seek)."""
    row = sessions.clips.clip_visible(principal, clip_id)
    if row.status != "complete" or row.key is None:
        raise NotFound("the clip is not rendered yet", details={"clip_id": clip_id})
    headers = {
        "Cache-Control": "private, max-age=3600",
        "Content-Disposition": f'inline; filename="{row.id}.mp4"',
    }
    return stored_object(request, sessions.storage, row.key, row.bytes, MP4, headers)


@router.post("/api/clips/{clip_id}/share", response_model=ShareLink)
def share_clip(
    clip_id: ClipId,
    principal: Clipper,
    sessions: SessionsDep,
    body: ShareCreate | None = None,
) -> ShareLink:
    """A new unguessable link to the clip that works without an account (replaces any old one)."""
    row = sessions.clips.clip_visible(principal, clip_id)
    return sessions.clips.share(row, body.expires_s if body else None)


@router.delete("/api/clips/{clip_id}/share", status_code=204)
def unshare_clip(clip_id: ClipId, principal: Clipper, sessions: SessionsDep) -> Response:
    """Revoke the clip's link: it answers 404 from now on."""
    row = sessions.clips.clip_visible(principal, clip_id)
    sessions.clips.unshare(row)
    return Response(status_code=204)


@router.get("/api/sessions/{session_id}/clips", response_model=ClipList)
def session_clips(session_id: SessionId, principal: Reader, sessions: SessionsDep) -> ClipList:
    """A session's clips, newest first."""
    row = _visible(sessions, principal, session_id, Action.SESSION_READ)
    return ClipList(clips=sessions.clips.clips_of(row.id))
