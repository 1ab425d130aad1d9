"""API tokens: shown once, stored as sha256, a role no higher than the owner's, and
optionally limited to a few actions (`scopes`)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Session, col, select

from posestudio.accounts import audit
from posestudio.accounts.errors import RoleTooHigh, UnknownToken
from posestudio.accounts.keys import API_TOKEN_PREFIX, digest, new_secret
from posestudio.accounts.models import ApiToken, ApiTokenCreate, ApiTokenCreated, User
from posestudio.db.database import utcnow
from posestudio.errors import BadRequest
from posestudio_core.auth import role_rank

# A token's display prefix: enough to tell tokens apart in a list, useless to an attacker.
SHOWN_CHARS = 8


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def create_token(
    *,
    session: Session,
    owner: User,
    data: ApiTokenCreate,
    actor: str | None,
    client: str | None = None,
) -> ApiTokenCreated:
    """The new token with its secret, which is never readable again."""
    role = data.role or owner.role
    if role_rank(role) > role_rank(owner.role):
        raise RoleTooHigh(
            f"a token cannot have a role above its owner's ({owner.role})",
            details={"role": role, "owner_role": owner.role},
        )
    expires_at = _aware(data.expires_at) if data.expires_at is not None else None
    if expires_at is not None and expires_at <= utcnow():
        raise BadRequest("expires_at is in the past", details={"field": "expires_at"})
    secret = new_secret(API_TOKEN_PREFIX)
    assert owner.id is not None
    token = ApiToken(
        owner_id=owner.id,
        name=data.name,
        role=role,
        token_hash=digest(secret),
        prefix=secret[: len(API_TOKEN_PREFIX) + SHOWN_CHARS],
        expires_at=expires_at,
        scopes=data.scopes,
    )
    session.add(token)
    session.flush()
    audit.record(
        session=session,
        action="token.created",
        actor=actor,
        target=owner.subject,
        client=client,
        details={
            "token_id": token.id,
            "name": token.name,
            "role": role,
            **({"scopes": data.scopes} if data.scopes is not None else {}),
        },
    )
    session.commit()
    return ApiTokenCreated.model_validate({**token.model_dump(), "token": secret})


def list_tokens(*, session: Session, owner_id: int | None) -> list[ApiToken]:
    """One person's tokens, or everyone's with owner_id None; newest first."""
    query = select(ApiToken)
    if owner_id is not None:
        query = query.where(ApiToken.owner_id == owner_id)
    return list(session.exec(query.order_by(col(ApiToken.id).desc())).all())


def get_token(*, session: Session, token_id: int) -> ApiToken:
    token = session.get(ApiToken, token_id)
    if token is None:
        raise UnknownToken(f"no token {token_id}", details={"token_id": token_id})
    return token


def revoke_token(
    *, session: Session, token: ApiToken, actor: str | None, client: str | None = None
) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        session.add(token)
        audit.record(
            session=session,
            action="token.revoked",
            actor=actor,
            target=f"user:{token.owner_id}",
            client=client,
            details={"token_id": token.id, "name": token.name},
        )
        session.commit()
    return token


def find_active_token(*, session: Session, secret: str) -> tuple[ApiToken, User] | None:
    """The live token and its enabled owner for a presented secret, else None."""
    row = session.exec(
        select(ApiToken, User)
        .join(User, col(User.id) == col(ApiToken.owner_id))
        .where(ApiToken.token_hash == digest(secret))
    ).first()
    if row is None:
        return None
    token, owner = row
    now = utcnow()
    if token.revoked_at is not None or owner.disabled:
        return None
    if token.expires_at is not None and _aware(token.expires_at) <= now:
        return None
    return token, owner
