"""API tokens: shown once, stored hashed, a role no higher than the owner's, refused
once revoked, expired, or their owner disabled."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from posestudio.accounts import tokens, users
from posestudio.accounts.errors import RoleTooHigh
from posestudio.accounts.keys import digest
from posestudio.accounts.models import ApiToken, ApiTokenCreate, AuditEvent, UserUpdate
from posestudio.db.database import Database
from posestudio.errors import BadRequest
from tests.backend.accounts.factories import make_user


def test_a_token_is_shown_once_and_stored_only_as_its_hash(database: Database) -> None:
    owner = make_user(database, "operator")
    with database.session() as session:
        created = tokens.create_token(
            session=session, owner=owner, data=ApiTokenCreate(name="camera 1"), actor="t"
        )
        stored = session.exec(select(ApiToken)).one()
        audit = session.exec(select(AuditEvent).where(AuditEvent.action == "token.created")).one()
    assert created.token.startswith("pst_") and len(created.token) > 40
    assert stored.token_hash == digest(created.token)
    assert created.token not in stored.model_dump_json()
    assert created.prefix == created.token[:12]
    assert (stored.role, stored.name) == ("operator", "camera 1")
    assert audit.details == {"token_id": stored.id, "name": "camera 1", "role": "operator"}


def test_a_token_above_its_owners_role_is_refused_and_changes_nothing(
    database: Database,
) -> None:
    owner = make_user(database, "operator")
    with database.session() as session:
        with pytest.raises(RoleTooHigh):
            tokens.create_token(
                session=session, owner=owner, data=ApiTokenCreate(name="x", role="admin"), actor="t"
            )
        assert session.exec(select(ApiToken)).all() == []


def test_an_expiry_in_the_past_is_refused(database: Database) -> None:
    owner = make_user(database)
    past = datetime.now(UTC) - timedelta(minutes=1)
    with database.session() as session, pytest.raises(BadRequest):
        tokens.create_token(
            session=session, owner=owner, data=ApiTokenCreate(name="x", expires_at=past), actor="t"
        )


def test_revoked_expired_and_disabled_owners_tokens_are_refused(database: Database) -> None:
    make_user(database, "admin")
    owner = make_user(database, "operator")
    assert owner.id is not None
    with database.session() as session:

        def new(name: str) -> str:
            data = ApiTokenCreate(name=name)
            return tokens.create_token(session=session, owner=owner, data=data, actor="t").token

        live, revoked, expired = new("live"), new("revoked"), new("expired")
        assert tokens.find_active_token(session=session, secret=live) is not None
        row = session.exec(select(ApiToken).where(ApiToken.name == "revoked")).one()
        tokens.revoke_token(session=session, token=row, actor="t")
        row = session.exec(select(ApiToken).where(ApiToken.name == "expired")).one()
        row.expires_at = datetime.now(UTC) - timedelta(seconds=1)
        session.add(row)
        session.commit()
        assert tokens.find_active_token(session=session, secret=revoked) is None
        assert tokens.find_active_token(session=session, secret=expired) is None
        assert tokens.find_active_token(session=session, secret=live + "x") is None
        users.update_user(
            session=session, user_id=owner.id, changes=UserUpdate(disabled=True), actor="t"
        )
        assert tokens.find_active_token(session=session, secret=live) is None
