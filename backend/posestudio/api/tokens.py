"""API tokens: create (shown once), list mine or everyone's, revoke."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated

from fastapi import APIRouter, Depends, Path

from posestudio.accounts import tokens
from posestudio.accounts.deps import ClientDep
from posestudio.accounts.models import (
    SCOPE_NAMES,
    ApiToken,
    ApiTokenCreate,
    ApiTokenCreated,
    ApiTokenPublic,
)
from posestudio.accounts.users import get_user
from posestudio.db.session import SessionDep
from posestudio.errors import BadRequest
from posestudio_core.auth import Principal
from posestudio_core.deps import require
from posestudio_core.errors import Forbidden
from posestudio_core.permissions import Action, authorize

router = APIRouter(prefix="/api/tokens", tags=["tokens"])

Account = Annotated[Principal, Depends(require(Action.ACCOUNT_MANAGE))]
Admin = Annotated[Principal, Depends(require(Action.TOKENS_MANAGE))]
TokenId = Annotated[int, Path(ge=1, le=2**31 - 1)]


@dataclass(frozen=True)
class OwnedToken:
    """A token as a `Resource`: its owner reaches it, admins reach every token."""

    owner: str
    shared_with: frozenset[str] = field(default_factory=frozenset)


def _user_id(principal: Principal) -> int:
    if not principal.subject.startswith("user:"):
        raise BadRequest(
            "the bootstrap token belongs to no account: sign in as a person to own tokens",
            details={"subject": principal.subject},
        )
    return int(principal.subject.removeprefix("user:"))


def _public(token: ApiToken) -> ApiTokenPublic:
    return ApiTokenPublic.model_validate(token, from_attributes=True)


@router.get("")
def list_my_tokens(principal: Account, session: SessionDep) -> list[ApiTokenPublic]:
    """My API tokens (never their secrets)."""
    if not principal.subject.startswith("user:"):
        return []
    return [_public(t) for t in tokens.list_tokens(session=session, owner_id=_user_id(principal))]


@router.get("/all")
def list_all_tokens(_: Admin, session: SessionDep) -> list[ApiTokenPublic]:
    """Everyone's API tokens, for admins."""
    return [_public(t) for t in tokens.list_tokens(session=session, owner_id=None)]


@router.post("", status_code=201)
def create_token(
    body: ApiTokenCreate, principal: Account, session: SessionDep, client: ClientDep
) -> ApiTokenCreated:
    """A new token for me, with a role no higher than mine and, when I act through a
    scoped token, scopes within mine; its secret is shown only now."""
    if principal.scopes is not None and not set(body.scopes or SCOPE_NAMES) <= principal.scopes:
        raise Forbidden(
            "a scoped token cannot make a token with wider scopes",
            details={"scopes": sorted(principal.scopes)},
        )
    owner = get_user(session=session, user_id=_user_id(principal))
    return tokens.create_token(
        session=session, owner=owner, data=body, actor=principal.subject, client=client
    )


@router.delete("/{token_id}")
def revoke_token(
    token_id: TokenId, principal: Account, session: SessionDep, client: ClientDep
) -> ApiTokenPublic:
    """Revoke a token: my own, or anyone's for an admin."""
    token = tokens.get_token(session=session, token_id=token_id)
    authorize(principal, Action.TOKENS_MANAGE, OwnedToken(owner=f"user:{token.owner_id}"))
    return _public(
        tokens.revoke_token(session=session, token=token, actor=principal.subject, client=client)
    )
