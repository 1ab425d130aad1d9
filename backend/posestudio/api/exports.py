"""Exports as jobs: made in the background with progress, stored, then fetched
(docs/sessions.md, "Export jobs"); the streamed `GET …/export.*` routes stay."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from posestudio.api.media import stored_object
from posestudio.api.sessions import Exporter, SessionId, SessionsDep, _visible
from posestudio.errors import NotFound
from posestudio.protocol.clips import ExportCreate, ExportJob
from posestudio.sessions import exports
from posestudio.sessions.export_jobs import filename
from posestudio_core.permissions import Action

router = APIRouter(tags=["sessions"])

ExportId = Annotated[str, Path(min_length=1, max_length=16, pattern=r"^ex_[A-Za-z0-9_-]+$")]


@router.post("/api/sessions/{session_id}/exports", status_code=202, response_model=ExportJob)
def create_export(
    session_id: SessionId, body: ExportCreate, principal: Exporter, sessions: SessionsDep
) -> ExportJob:
    """Export a session (or one stream) in the background; poll `GET /api/exports/{id}`."""
    row = _visible(sessions, principal, session_id, Action.SESSION_EXPORT)
    clips = sessions.clips
    return clips.export_public(clips.create_export(principal, body, row))


@router.get("/api/exports/{export_id}", response_model=ExportJob)
def get_export(
    export_id: ExportId,
    principal: Exporter,
    sessions: SessionsDep,
    presign: Annotated[bool, Query(description="a pre-signed S3 URL (s3 storage)")] = False,
) -> ExportJob:
    """An export job: status, progress and, once complete, where to fetch the file."""
    clips = sessions.clips
    return clips.export_public(clips.export_visible(principal, export_id), presign=presign)


@router.get("/api/exports/{export_id}/file", response_class=Response)
def export_file(
    export_id: ExportId, principal: Exporter, sessions: SessionsDep, request: Request
) -> Response:
    """The stored export, streamed (Range requests answered)."""
    row = sessions.clips.export_visible(principal, export_id)
    if row.status != "complete" or row.key is None:
        raise NotFound("the export is not ready", details={"export_id": export_id})
    headers = {"Content-Disposition": f'attachment; filename="{filename(row)}"'}
    media = exports.FORMATS.get(row.format, "application/octet-stream")
    return stored_object(request, sessions.storage, row.key, row.bytes, media, headers)
