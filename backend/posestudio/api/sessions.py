"""Sessions: record, list, replay, annotate, export (docs/sessions.md).

Another person's session answers exactly like an unknown one (404 NOT_FOUND), so ids
leak nothing.
"""

from __future__ import annotations

import itertools
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.responses import StreamingResponse
from sqlmodel import Session

from posestudio.api.sharing import ShareRequest, subjects_by_email
from posestudio.db.session import SessionDep
from posestudio.errors import BadRequest, NotFound
from posestudio.protocol.sessions import (
    AnnotationList,
    AnnotationPublic,
    SessionList,
    SessionPublic,
)
from posestudio.sessions import bvh, crud, exports, replay
from posestudio.sessions.models import (
    Annotation,
    AnnotationCreate,
    AnnotationUpdate,
    RecordedSession,
    RecordOptions,
    SessionCreate,
    SessionUpdate,
)
from posestudio.sessions.service import Sessions
from posestudio.sessions.skeletons import solve_stream
from posestudio_core.auth import Principal
from posestudio_core.deps import from_state, require
from posestudio_core.permissions import Action, authorize

router = APIRouter(prefix="/api/sessions", tags=["sessions"])

SessionsDep = Annotated[Sessions, Depends(from_state("sessions"))]
Reader = Annotated[Principal, Depends(require(Action.SESSION_READ))]
Recorder = Annotated[Principal, Depends(require(Action.SESSION_RECORD))]
Deleter = Annotated[Principal, Depends(require(Action.SESSION_DELETE))]
Exporter = Annotated[Principal, Depends(require(Action.SESSION_EXPORT))]
SessionId = Annotated[str, Path(min_length=1, max_length=16, pattern=r"^se_[A-Za-z0-9_-]+$")]
StreamKey = Annotated[str, Path(min_length=1, max_length=32)]
From = Annotated[float, Query(alias="from", ge=0)]
To = Annotated[float | None, Query(alias="to", ge=0)]


def _visible(
    sessions: Sessions, principal: Principal, session_id: str, action: Action
) -> RecordedSession:
    row = sessions.get_visible(principal, session_id)
    authorize(principal, action, row)
    return row


def _range(start: float, end: float | None) -> None:
    if end is not None and start > end:
        raise BadRequest("from is after to", details={"from": start, "to": end})


def _stream_key(sessions: Sessions, row: RecordedSession, key: str) -> str:
    with sessions.database.session() as session:
        keys = {s.key for s in crud.streams_of(session, session_id=row.id)}
    if key not in keys:
        raise NotFound("no such stream in this session", details={"stream": key})
    return key


def _sources(sessions: Sessions, row: RecordedSession, stream: str | None) -> list[exports.Source]:
    with sessions.database.session() as session:
        rows = crud.streams_of(session, session_id=row.id)
    sources = [exports.Source(r.key, r.name) for r in rows if stream in (None, r.key)]
    if stream is not None and not sources:
        raise NotFound("no such stream in this session", details={"stream": stream})
    return sources


@router.post("", status_code=201, response_model=SessionPublic)
async def create_session(
    body: SessionCreate, principal: Recorder, sessions: SessionsDep
) -> dict[str, Any]:
    """Start recording some (or all) of my running streams as one session."""
    streams = sessions._streams_for(principal, connection=None, name=None, ids=body.streams)
    options = RecordOptions(name=body.name, tags=body.tags, video=body.video)
    return await sessions.record(principal, streams, options, None)


@router.post("/{session_id}/stop", response_model=SessionPublic)
async def stop_session(
    session_id: SessionId, principal: Recorder, sessions: SessionsDep
) -> dict[str, Any]:
    """Stop a recording session."""
    return await sessions.stop(principal, session_id)


@router.get("", response_model=SessionList)
def list_sessions(
    principal: Reader,
    session: SessionDep,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    tag: Annotated[str | None, Query(max_length=40)] = None,
    q: Annotated[str | None, Query(max_length=200, description="the name contains it")] = None,
    since: datetime | None = None,
    until: datetime | None = None,
    owner: Annotated[str | None, Query(max_length=64)] = None,
) -> SessionList:
    """Sessions, newest first: mine and those shared with me (admins: everyone's, or one
    owner's)."""
    viewer = None
    if principal.role != "admin":
        owner = viewer = principal.subject
    rows, total = crud.list_sessions(
        session,
        owner=owner,
        viewer=viewer,
        tag=tag,
        q=q,
        since=since,
        until=until,
        offset=offset,
        limit=limit,
    )
    return SessionList(
        sessions=[crud.public(session, row=r) for r in rows],
        total=total,
        offset=offset,
        limit=limit,
    )


@router.get("/{session_id}", response_model=SessionPublic)
def get_session(
    session_id: SessionId, principal: Reader, sessions: SessionsDep, session: SessionDep
) -> SessionPublic:
    """One session with its streams."""
    row = _visible(sessions, principal, session_id, Action.SESSION_READ)
    return crud.public(session, row=row)


@router.patch("/{session_id}", response_model=SessionPublic)
def update_session(
    session_id: SessionId,
    change: SessionUpdate,
    principal: Recorder,
    sessions: SessionsDep,
    session: SessionDep,
) -> SessionPublic:
    """Rename or retag a session."""
    _visible(sessions, principal, session_id, Action.SESSION_RECORD)
    row = crud.get_session(session, session_id=session_id)
    assert row is not None
    return crud.public(session, row=crud.update_session(session, row=row, change=change))


@router.put("/{session_id}/share")
def share_session(
    session_id: SessionId,
    body: ShareRequest,
    principal: Recorder,
    sessions: SessionsDep,
    session: SessionDep,
) -> dict[str, Any]:
    """Let these people (by email) see the session, read-only; replaces the previous list."""
    _visible(sessions, principal, session_id, Action.SESSION_RECORD)
    subjects = subjects_by_email(session, body)
    row = crud.get_session(session, session_id=session_id)
    assert row is not None
    row = crud.share_session(session, row=row, viewers=list(subjects.values()))
    return {"id": row.id, "shared_with": [e for e, s in subjects.items() if s in row.viewers]}


@router.delete("/{session_id}", status_code=204)
async def delete_session(
    session_id: SessionId, principal: Deleter, sessions: SessionsDep
) -> Response:
    """Delete a session and every object it stored (stopping it first when recording)."""
    await sessions.delete(principal, session_id)
    return Response(status_code=204)


@router.get("/{session_id}/streams/{key}/poses", response_class=StreamingResponse)
def poses(
    session_id: SessionId,
    key: StreamKey,
    principal: Reader,
    sessions: SessionsDep,
    start: From = 0.0,
    end: To = None,
    skeleton: Annotated[
        bool,
        Query(
            description="add the solved `skeleton` to poses recorded without one "
            "(the take solved whole: bone lengths constant over the stream)"
        ),
    ] = False,
) -> StreamingResponse:
    """A stream's recorded poses in [from, to] (session seconds), as JSON lines."""
    _range(start, end)
    row = _visible(sessions, principal, session_id, Action.SESSION_READ)
    _stream_key(sessions, row, key)
    solved = None
    if skeleton:
        # A finished stream is solved whole, once; one still recording over this range.
        finished = row.status != "recording"
        span = (0.0, None) if finished else (start, end)
        solved = sessions.skeletons.get(
            (row.id, key), finished, lambda: solve_stream(sessions.storage, row.id, key, *span)
        )
    lines = replay.pose_lines(sessions.storage, row.id, key, start, end, solved)
    return StreamingResponse(lines, media_type="application/x-ndjson")


@router.get("/{session_id}/robots/telemetry", response_class=StreamingResponse)
def robot_telemetry(
    session_id: SessionId, principal: Reader, sessions: SessionsDep
) -> StreamingResponse:
    """The telemetry of the robots the owner controlled while recording, as JSON lines."""
    row = _visible(sessions, principal, session_id, Action.SESSION_READ)
    return StreamingResponse(sessions.telemetry_lines(row.id), media_type="application/x-ndjson")


@router.get("/{session_id}/streams/{key}/frames/{index}", response_class=Response)
def frame(
    session_id: SessionId,
    key: StreamKey,
    index: Annotated[int, Path(ge=0, le=2**31)],
    principal: Reader,
    sessions: SessionsDep,
    request: Request,
) -> Response:
    """The JPEG of a recorded frame, exactly as received."""
    row = _visible(sessions, principal, session_id, Action.SESSION_READ)
    _stream_key(sessions, row, key)
    etag = f'"{row.id}-{key}-{index}"'
    headers = {"Cache-Control": "private, max-age=31536000, immutable", "ETag": etag}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    image = replay.frame_at(sessions.storage, row.id, key, index)
    return Response(image.jpeg, media_type="image/jpeg", headers=headers)


@router.get("/{session_id}/streams/{key}/frame", response_class=Response)
def frame_near(
    session_id: SessionId,
    key: StreamKey,
    principal: Reader,
    sessions: SessionsDep,
    ts: Annotated[float, Query(ge=0)],
) -> Response:
    """The JPEG of the recorded frame nearest to `ts`."""
    row = _visible(sessions, principal, session_id, Action.SESSION_READ)
    _stream_key(sessions, row, key)
    image = replay.frame_near(sessions.storage, row.id, key, ts)
    headers = {
        "Cache-Control": "private, max-age=60",
        "X-Frame-Index": str(image.index),
        "X-Frame-Ts": f"{image.ts:.6f}",
    }
    return Response(image.jpeg, media_type="image/jpeg", headers=headers)


@router.get("/{session_id}/annotations", response_model=AnnotationList)
def list_annotations(
    session_id: SessionId, principal: Reader, sessions: SessionsDep, session: SessionDep
) -> AnnotationList:
    """A session's annotations, by time."""
    row = _visible(sessions, principal, session_id, Action.SESSION_READ)
    found = crud.list_annotations(session, session_id=row.id)
    return AnnotationList(
        annotations=[AnnotationPublic.model_validate(a, from_attributes=True) for a in found]
    )


@router.post("/{session_id}/annotations", status_code=201, response_model=AnnotationPublic)
def create_annotation(
    session_id: SessionId,
    body: AnnotationCreate,
    principal: Recorder,
    sessions: SessionsDep,
    session: SessionDep,
) -> AnnotationPublic:
    """Label a moment or a span of a session."""
    row = _visible(sessions, principal, session_id, Action.SESSION_RECORD)
    if body.stream is not None:
        _stream_key(sessions, row, body.stream)
    created = crud.create_annotation(session, session_id=row.id, data=body)
    return AnnotationPublic.model_validate(created, from_attributes=True)


AnnotationId = Annotated[int, Path(ge=1, le=2**31 - 1)]


def _annotation(session: Session, row: RecordedSession, annotation_id: int) -> Annotation:
    found = crud.get_annotation(session, session_id=row.id, annotation_id=annotation_id)
    if found is None:
        raise NotFound("no such annotation", details={"annotation_id": annotation_id})
    return found


@router.patch("/{session_id}/annotations/{annotation_id}", response_model=AnnotationPublic)
def update_annotation(
    session_id: SessionId,
    annotation_id: AnnotationId,
    change: AnnotationUpdate,
    principal: Recorder,
    sessions: SessionsDep,
    session: SessionDep,
) -> AnnotationPublic:
    """Change an annotation."""
    row = _visible(sessions, principal, session_id, Action.SESSION_RECORD)
    found = _annotation(session, row, annotation_id)
    end = change.end_ts if "end_ts" in change.model_fields_set else found.end_ts
    start = change.ts if change.ts is not None else found.ts
    if end is not None and end < start:
        raise BadRequest("end_ts is before ts", details={"ts": start, "end_ts": end})
    updated = crud.update_annotation(session, row=found, change=change)
    return AnnotationPublic.model_validate(updated, from_attributes=True)


@router.delete("/{session_id}/annotations/{annotation_id}", status_code=204)
def delete_annotation(
    session_id: SessionId,
    annotation_id: AnnotationId,
    principal: Recorder,
    sessions: SessionsDep,
    session: SessionDep,
) -> Response:
    """Delete an annotation."""
    row = _visible(sessions, principal, session_id, Action.SESSION_RECORD)
    found = _annotation(session, row, annotation_id)
    crud.delete_annotation(session, row=found)
    return Response(status_code=204)


Format = Literal["jsonl", "csv", "parquet", "bvh"]


@router.get("/{session_id}/export.{fmt}", response_class=StreamingResponse)
def export(
    session_id: SessionId,
    fmt: Annotated[Format, Path()],
    principal: Exporter,
    sessions: SessionsDep,
    stream: Annotated[str | None, Query(max_length=32)] = None,
    start: From = 0.0,
    end: To = None,
) -> StreamingResponse:
    """Export a session (or one stream) as JSONL, CSV, Parquet or BVH (one stream), streamed."""
    _range(start, end)
    row = _visible(sessions, principal, session_id, Action.SESSION_EXPORT)
    sources = _sources(sessions, row, stream)
    if fmt == "bvh":
        # One skeleton per file: the named stream, or the session's first.
        body = bvh.bvh(sessions.storage, row.id, sources[0].key, start, end)
        # Solving runs before the first byte, so "nobody in view" is still a 404.
        first = next(body)
        body = itertools.chain([first], body)
    else:
        span = exports.Span(sessions.storage, row.id, sources, start, end)
        body = exports.WRITERS[fmt](span, None)
    headers = {
        "Content-Disposition": f'attachment; filename="{exports.filename(row.id, stream, fmt)}"',
        "X-Session-Status": row.status,
    }
    return StreamingResponse(body, media_type=exports.FORMATS[fmt], headers=headers)
