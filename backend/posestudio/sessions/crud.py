"""Sessions in the database: plain functions with keyword-only arguments."""

from __future__ import annotations

import json
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from posestudio.db.database import utcnow
from posestudio.protocol.sessions import SessionPublic
from posestudio.sessions.models import (
    Annotation,
    AnnotationCreate,
    AnnotationUpdate,
    RecordedSession,
    SessionStream,
    SessionUpdate,
    public_session,
)
from posestudio_core.ids import new_id

SESSION_ID_PREFIX = "se_"


def new_session_id() -> str:
    return new_id(SESSION_ID_PREFIX)


def create_session(
    session: Session,
    *,
    owner: str,
    name: str | None,
    tags: list[str],
    video: bool,
    streams: list[SessionStream],
    started_at: datetime | None = None,
) -> RecordedSession:
    started = started_at or utcnow()
    row = RecordedSession(
        id=new_session_id(),
        owner=owner,
        name=name or f"Session {started:%Y-%m-%d %H:%M:%S} UTC",
        tags=tags,
        video=video,
        started_at=started,
    )
    session.add(row)
    session.flush()
    for stream in streams:
        stream.session_id = row.id
        session.add(stream)
    session.commit()
    return row


def get_session(session: Session, *, session_id: str) -> RecordedSession | None:
    return session.get(RecordedSession, session_id)


def streams_of(session: Session, *, session_id: str) -> list[SessionStream]:
    query = select(SessionStream).where(SessionStream.session_id == session_id)
    return list(session.exec(query.order_by(col(SessionStream.id))))


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _json_list_holds(column: object, value: str) -> sa.ColumnElement[bool]:
    # A JSON list's text holds each item as json.dumps wrote it.
    needle = f"%{_escape(json.dumps(value))}%"
    return sa.cast(col(column), sa.Text).like(needle, escape="\\")  # type: ignore[call-overload]


def share_session(session: Session, *, row: RecordedSession, viewers: list[str]) -> RecordedSession:
    row.viewers = sorted(set(viewers) - {row.owner})
    session.add(row)
    session.commit()
    session.refresh(row)
    return row


def annotation_count(session: Session, *, session_id: str) -> int:
    query = select(func.count()).select_from(Annotation)
    return int(session.exec(query.where(Annotation.session_id == session_id)).one())


def public(session: Session, *, row: RecordedSession) -> SessionPublic:
    return public_session(
        row,
        streams_of(session, session_id=row.id),
        annotation_count(session, session_id=row.id),
    )


def list_sessions(
    session: Session,
    *,
    owner: str | None,
    viewer: str | None = None,
    tag: str | None = None,
    q: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    offset: int = 0,
    limit: int = 20,
) -> tuple[list[RecordedSession], int]:
    """Newest first; `owner` None means everyone's (admins); `viewer`: also the sessions
    shared with that subject; `q`: the name contains it (any case)."""
    query = select(RecordedSession)
    if owner is not None and viewer is not None:
        shared = _json_list_holds(RecordedSession.viewers, viewer)
        query = query.where(sa.or_(col(RecordedSession.owner) == owner, shared))
    elif owner is not None:
        query = query.where(RecordedSession.owner == owner)
    if tag is not None:
        query = query.where(_json_list_holds(RecordedSession.tags, tag))
    if q:
        query = query.where(
            sa.func.lower(col(RecordedSession.name)).like(f"%{_escape(q.lower())}%", escape="\\")
        )
    if since is not None:
        query = query.where(col(RecordedSession.started_at) >= since)
    if until is not None:
        query = query.where(col(RecordedSession.started_at) <= until)
    total = int(session.exec(select(func.count()).select_from(query.subquery())).one())
    page = query.order_by(col(RecordedSession.started_at).desc(), col(RecordedSession.id))
    return list(session.exec(page.offset(offset).limit(limit))), total


def update_session(
    session: Session, *, row: RecordedSession, change: SessionUpdate
) -> RecordedSession:
    if change.name is not None:
        row.name = change.name
    if change.tags is not None:
        row.tags = list(change.tags)
    session.add(row)
    session.commit()
    return row


def delete_session(session: Session, *, row: RecordedSession) -> None:
    from posestudio.clips.crud import delete_of_session

    delete_of_session(session, session_id=row.id)
    session.execute(sa.delete(Annotation).where(col(Annotation.session_id) == row.id))
    session.execute(sa.delete(SessionStream).where(col(SessionStream.session_id) == row.id))
    # A statement, not `session.delete(row)`: a delete racing this one may have removed
    # the row already, which is fine (nothing of the session is left either way).
    session.execute(sa.delete(RecordedSession).where(col(RecordedSession.id) == row.id))
    session.commit()
    session.expunge(row)


def owner_bytes(session: Session, *, owner: str, excluding: str | None = None) -> int:
    query = select(func.coalesce(func.sum(RecordedSession.bytes), 0)).where(
        RecordedSession.owner == owner
    )
    if excluding is not None:
        query = query.where(RecordedSession.id != excluding)
    return int(session.exec(query).one())


def recording_sessions(session: Session) -> list[RecordedSession]:
    query = select(RecordedSession).where(RecordedSession.status == "recording")
    return list(session.exec(query))


# -- annotations -------------------------------------------------------------------


def list_annotations(session: Session, *, session_id: str) -> list[Annotation]:
    query = select(Annotation).where(Annotation.session_id == session_id)
    return list(session.exec(query.order_by(col(Annotation.ts), col(Annotation.id))))


def create_annotation(session: Session, *, session_id: str, data: AnnotationCreate) -> Annotation:
    row = Annotation(session_id=session_id, **data.model_dump())
    session.add(row)
    session.commit()
    return row


def get_annotation(session: Session, *, session_id: str, annotation_id: int) -> Annotation | None:
    row = session.get(Annotation, annotation_id)
    return row if row is not None and row.session_id == session_id else None


def update_annotation(session: Session, *, row: Annotation, change: AnnotationUpdate) -> Annotation:
    for field, value in change.model_dump(exclude_unset=True).items():
        setattr(row, field, value)
    session.add(row)
    session.commit()
    return row


def delete_annotation(session: Session, *, row: Annotation) -> None:
    session.delete(row)
    session.commit()
