"""People, their API tokens, browser sessions and the audit log: models in layers.

Only the stored classes are tables; the `Create`/`Update`/`Public` shapes are what the
API reads and returns, so a password hash or a token hash can never leave by accident.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

import sqlalchemy as sa
from pydantic import AfterValidator, EmailStr, StringConstraints
from sqlmodel import Field, SQLModel

from posestudio.db.database import utcnow
from posestudio_core.permissions import Action

SCOPE_NAMES = frozenset(action.value for action in Action) - {Action.CONNECT.value}

Role = Literal["viewer", "operator", "admin"]
ROLE_TYPE = sa.String(16)


def _lower(value: str) -> str:
    return value.lower()


# Stored lowercased: the unique index then makes addresses unique case-insensitively.
Email = Annotated[EmailStr, StringConstraints(max_length=254), AfterValidator(_lower)]
DisplayName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Password = Annotated[str, StringConstraints(max_length=256)]
TokenName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class UserBase(SQLModel):
    email: Email = Field(max_length=254)
    display_name: DisplayName = Field(max_length=100)
    role: Role = Field(default="viewer", sa_type=ROLE_TYPE)


class UserCreate(UserBase):
    password: Password


class UserUpdate(SQLModel):
    """What an admin may change; unset fields stay as they are."""

    display_name: DisplayName | None = None
    role: Role | None = None
    disabled: bool | None = None


class PasswordReset(SQLModel):
    password: Password


class User(UserBase, table=True):
    __tablename__ = "users"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True, index=True)
    password_hash: str = Field(max_length=255)
    disabled: bool = False
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)

    @property
    def subject(self) -> str:
        """The `Principal.subject` of this person (what owns their resources)."""
        return f"user:{self.id}"


class UserPublic(UserBase):
    id: int
    disabled: bool
    created_at: datetime
    updated_at: datetime


def _known_scopes(scopes: list[str] | None) -> list[str] | None:
    if scopes is None:
        return None
    unknown = sorted(set(scopes) - SCOPE_NAMES)
    if unknown:
        raise ValueError(f"unknown scopes {unknown}: each must be an action, like robot.serve")
    if not scopes:
        raise ValueError("an empty scope list would allow nothing: leave scopes out instead")
    return sorted(set(scopes))


# A token's `scopes`: the actions (posestudio_core.permissions) it is limited to.
Scopes = Annotated[list[str] | None, AfterValidator(_known_scopes)]


class ApiTokenCreate(SQLModel):
    name: TokenName
    role: Role | None = None  # None: the owner's role
    expires_at: datetime | None = None
    # None: everything the role allows; else only these actions (e.g. ["robot.serve"]).
    scopes: Scopes = Field(default=None, max_length=32)


class ApiToken(SQLModel, table=True):
    __tablename__ = "api_tokens"

    id: int | None = Field(default=None, primary_key=True)
    owner_id: int = Field(foreign_key="users.id", ondelete="CASCADE", index=True)
    name: str = Field(max_length=100)
    role: Role = Field(sa_type=ROLE_TYPE)
    # sha256 of the secret; the secret itself is shown once and never stored.
    token_hash: str = Field(max_length=64, unique=True, index=True)
    prefix: str = Field(max_length=16)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime | None = None
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None
    scopes: list[str] | None = Field(default=None, sa_type=sa.JSON)


class ApiTokenPublic(SQLModel):
    id: int
    owner_id: int
    name: str
    role: Role
    scopes: list[str] | None
    prefix: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None


class ApiTokenCreated(ApiTokenPublic):
    token: str  # shown once


class BrowserSession(SQLModel, table=True):
    __tablename__ = "browser_sessions"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", ondelete="CASCADE", index=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    revoked_at: datetime | None = None
    client: str | None = Field(default=None, max_length=64)


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_events"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    action: str = Field(max_length=64, index=True)
    # Subjects, not foreign keys: the log outlives the people and tokens it names.
    actor: str | None = Field(default=None, max_length=64)
    target: str | None = Field(default=None, max_length=254)
    client: str | None = Field(default=None, max_length=64)
    details: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON)


class AuditEventPublic(SQLModel):
    id: int
    at: datetime
    action: str
    actor: str | None
    target: str | None
    client: str | None
    details: dict[str, Any] | None


class AuditPage(SQLModel):
    events: list[AuditEventPublic]
    total: int
    offset: int
    limit: int
