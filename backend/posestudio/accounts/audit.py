"""The audit log: who did what to whom, from where. Rows are added inside the change's
own transaction, so a refused change leaves no row and a made one always has its row."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from posestudio.accounts.models import AuditEvent, AuditEventPublic, AuditPage


def record(
    *,
    session: Session,
    action: str,
    actor: str | None,
    target: str | None = None,
    client: str | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Add one row to the session (the caller commits with its change)."""
    session.add(
        AuditEvent(
            action=action,
            actor=actor,
            target=target[:254] if target else None,
            client=client[:64] if client else None,
            details=details,
        )
    )


def list_events(
    *, session: Session, offset: int, limit: int, action: str | None = None
) -> AuditPage:
    """Newest first."""
    query = select(AuditEvent)
    count = select(func.count()).select_from(AuditEvent)
    if action is not None:
        query = query.where(AuditEvent.action == action)
        count = count.where(col(AuditEvent.action) == action)
    rows = session.exec(query.order_by(col(AuditEvent.id).desc()).offset(offset).limit(limit)).all()
    return AuditPage(
        events=[AuditEventPublic.model_validate(row, from_attributes=True) for row in rows],
        total=session.exec(count).one(),
        offset=offset,
        limit=limit,
    )
