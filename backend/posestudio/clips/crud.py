"""Clips and export rows in the database: plain functions with keyword-only arguments."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from posestudio.clips.models import ClipRow, ExportRow
from posestudio.db.database import Database, utcnow
from posestudio.sessions.chunks import session_prefix


def clip_prefix(session_id: str, clip_id: str) -> str:
    """Under the session's prefix, so deleting the session removes its clips."""
    return f"{session_prefix(session_id)}clips/{clip_id}/"


def export_prefix(session_id: str, export_id: str) -> str:
    return f"{session_prefix(session_id)}exports/{export_id}/"


def add(session: Session, row: ClipRow | ExportRow) -> None:
    session.add(row)
    session.commit()


def get_clip(session: Session, *, clip_id: str) -> ClipRow | None:
    return session.get(ClipRow, clip_id)


def get_export(session: Session, *, export_id: str) -> ExportRow | None:
    return session.get(ExportRow, export_id)


def clips_of(session: Session, *, session_id: str) -> list[ClipRow]:
    query = select(ClipRow).where(ClipRow.session_id == session_id)
    return list(session.exec(query.order_by(col(ClipRow.created_at).desc(), col(ClipRow.id))))


def exports_of(session: Session, *, session_id: str) -> list[ExportRow]:
    return list(session.exec(select(ExportRow).where(ExportRow.session_id == session_id)))


def clip_by_token(session: Session, *, token: str) -> ClipRow | None:
    return session.exec(select(ClipRow).where(ClipRow.share_token == token)).first()


def set_share(
    session: Session, *, row: ClipRow, token: str | None, expires: datetime | None
) -> None:
    row.share_token, row.share_expires_at = token, expires
    add(session, row)


def delete_of_session(session: Session, *, session_id: str) -> None:
    """Every clip and export row of a session (before the session's own row)."""
    session.execute(sa.delete(ClipRow).where(col(ClipRow.session_id) == session_id))
    session.execute(sa.delete(ExportRow).where(col(ExportRow.session_id) == session_id))


def update(
    database: Database, table: type[ClipRow] | type[ExportRow], row_id: str, **fields: Any
) -> bool:
    """Change a row from a job; False when it is gone (its session was deleted)."""
    if fields.get("status") in ("complete", "failed"):
        fields.setdefault("finished_at", utcnow())
    with database.session() as session:
        found = session.get(table, row_id)
        if found is None:
            return False
        for name, value in fields.items():
            setattr(found, name, value)
        session.add(found)
        session.commit()
        return True
