"""The audit log, for admins, newest first."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from posestudio.accounts import audit
from posestudio.accounts.models import AuditPage
from posestudio.db.session import SessionDep
from posestudio_core.auth import Principal
from posestudio_core.deps import require
from posestudio_core.permissions import Action

router = APIRouter(prefix="/api", tags=["audit"])


@router.get("/audit")
def list_audit(
    _: Annotated[Principal, Depends(require(Action.AUDIT_READ))],
    session: SessionDep,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    action: Annotated[
        str | None, Query(max_length=64, description="e.g. auth.login.failure")
    ] = None,
) -> AuditPage:
    """Sign-ins, tokens, people and roles: who did what, when, from where."""
    return audit.list_events(session=session, offset=offset, limit=limit, action=action)
