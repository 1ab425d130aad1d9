"""Sharing a live stream with people by email (installed with the accounts)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session

from posestudio.accounts.errors import UnknownUser
from posestudio.accounts.users import find_user_by_email
from posestudio.api.streams import StreamKey
from posestudio.db.session import SessionDep
from posestudio.deps import ManagerDep
from posestudio.pipeline.access import resource, visible_stream
from posestudio_core.auth import Principal
from posestudio_core.deps import require
from posestudio_core.permissions import Action, authorize

router = APIRouter(prefix="/api", tags=["streams"])

Streamer = Annotated[Principal, Depends(require(Action.STREAM_START))]


class ShareRequest(BaseModel):
    """Everyone the stream is shared with from now on (replaces the previous list)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    with_: list[Annotated[str, Field(min_length=3, max_length=254)]] = Field(
        alias="with", max_length=100
    )


def subjects_by_email(session: Session, request: ShareRequest) -> dict[str, str]:
    """The people a share names, email (trimmed, lower case) -> subject; `UNKNOWN_USER`
    with the emails no account has, so nothing changes."""
    emails = sorted({email.strip().lower() for email in request.with_ if email.strip()})
    users = {email: find_user_by_email(session=session, email=email) for email in emails}
    unknown = [email for email, user in users.items() if user is None]
    if unknown:
        raise UnknownUser("no account with these emails", details={"emails": unknown})
    return {email: user.subject for email, user in users.items() if user is not None}


@router.put("/streams/{stream}/share")
def share_stream(
    principal: Streamer,
    manager: ManagerDep,
    session: SessionDep,
    body: ShareRequest,
    stream: StreamKey,
) -> dict[str, Any]:
    """Let these people (by email) watch the stream; unknown emails change nothing."""
    found = visible_stream(manager, principal, stream)
    # Only its owner (or an admin) shares it; a person it is shared with may not.
    authorize(principal, Action.STREAM_START, resource(found))
    named = subjects_by_email(session, body)
    subjects = set(named.values()) - {found.owner.subject}
    found.shared_with = frozenset(subjects)  # one assignment: the loop sees old or new
    return {"id": found.id, "shared_with": [e for e, s in named.items() if s in subjects]}
