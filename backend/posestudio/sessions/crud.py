"""Sessions in the database: plain functions with keyword-only arguments."""

from __future__ import annotations

import json
import secrets
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from posestudio.db.database import utcnow
from posestudio.sessions.models import (
    Annotation,
    AnnotationCreate,
    AnnotationUpdate,
    RecordedSession,
    SessionPublic,
    SessionStream,
    SessionUpdate,
)

SESSION_ID_PREFIX = "se_"


def new_session_id() -> str:
    return SESSION_ID_PREFIX + secrets.token_urlsafe(9)


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


def annotation_count(session: Session, *, session_id: str) -> int:
    query = select(func.count()).select_from(Annotation)
    return int(session.exec(query.where(Annotation.session_id == session_id)).one())


def public(session: Session, *, row: RecordedSession) -> SessionPublic:
    return SessionPublic.of(
        row,
        streams_of(session, session_id=row.id),
        annotation_count(session, session_id=row.id),
    )


def list_sessions(
    session: Session,
    *,
    owner: str | None,
    tag: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    offset: int = 0,
    limit: int = 20,
) -> tuple[list[RecordedSession], int]:
    """Newest first; `owner` None means everyone's (admins)."""
    query = select(RecordedSession)
    if owner is not None:
        query = query.where(RecordedSession.owner == owner)
    if tag is not None:
        # Tags are a JSON list; its text holds each tag as json.dumps wrote it.
        quoted = json.dumps(tag)
        escaped = quoted.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        needle = f"%{escaped}%"
        query = query.where(sa.cast(col(RecordedSession.tags), sa.Text).like(needle, escape="\\"))
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
    session.execute(sa.delete(Annotation).where(col(Annotation.session_id) == row.id))
    session.execute(sa.delete(SessionStream).where(col(SessionStream.session_id) == row.id))
    session.delete(row)
    session.commit()


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
