"""People CRUD on SQLite and PostgreSQL: every bad input is refused and changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import ValidationError
from sqlmodel import select

from posestudio.accounts import tokens, users
from posestudio.accounts.errors import EmailTaken, LastAdmin, UnknownUser, WeakPassword
from posestudio.accounts.models import (
    ApiToken,
    ApiTokenCreate,
    AuditEvent,
    BrowserSession,
    User,
    UserCreate,
    UserUpdate,
)
from posestudio.accounts.passwords import verify_password
from posestudio.accounts.sessions import create_session
from posestudio.db.database import Database
from tests.backend.accounts.factories import PASSWORD, make_user

SQL_METACHARACTERS = "x'; DROP TABLE users; --\"\\%_"


def _rows(database: Database) -> tuple[int, int]:
    with database.session() as session:
        return (
            len(session.exec(select(User)).all()),
            len(session.exec(select(AuditEvent)).all()),
        )


def test_a_user_is_stored_with_a_hash_lowercased_email_and_an_audit_row(
    database: Database,
) -> None:
    user = make_user(database, "operator", email="Coach.Kim@Example.COM")
    with database.session() as session:
        stored = session.get(User, user.id)
        assert stored is not None
        assert stored.email == "coach.kim@example.com"
        assert stored.password_hash != PASSWORD
        assert verify_password(PASSWORD, stored.password_hash)
        event = session.exec(select(AuditEvent)).one()
    assert (event.action, event.actor, event.target) == ("user.created", "test", user.subject)
    assert event.details == {"email": "coach.kim@example.com", "role": "operator"}


def test_a_duplicate_email_in_any_case_is_refused_and_changes_nothing(
    database: Database,
) -> None:
    make_user(database, email="athlete@example.com")
    before = _rows(database)
    data = UserCreate(
        email="ATHLETE@example.com", display_name="Other", password="another-long-secret"
    )
    with database.session() as session, pytest.raises(EmailTaken) as caught:
        users.create_user(session=session, data=data, actor="test")
    assert caught.value.code == "EMAIL_TAKEN"
    assert _rows(database) == before


def test_a_weak_password_is_refused_and_changes_nothing(database: Database) -> None:
    before = _rows(database)
    data = UserCreate(email="weak@example.com", display_name="Weak", password="password1234")
    with database.session() as session, pytest.raises(WeakPassword):
        users.create_user(session=session, data=data, actor="test")
    assert _rows(database) == before


@pytest.mark.parametrize(
    "fields",
    [
        {"email": "not-an-email"},
        {"email": "a@b"},
        {"email": "x" * 250 + "@example.com"},
        {"display_name": "n" * 101},
        {"display_name": "   "},
        {"password": "p" * 257},
        {"role": "superuser"},
    ],
)
def test_malformed_and_oversize_fields_do_not_validate(fields: dict[str, str]) -> None:
    good = {"email": "ok@example.com", "display_name": "Ok", "password": "violet-tram-rain"}
    with pytest.raises(ValidationError):
        UserCreate.model_validate({**good, **fields})


def test_sql_metacharacters_are_stored_as_plain_text(database: Database) -> None:
    data = UserCreate(
        email="quote.o'brien@example.com",
        display_name=SQL_METACHARACTERS,
        password=SQL_METACHARACTERS + "-long",
    )
    with database.session() as session:
        user = users.create_user(session=session, data=data, actor=SQL_METACHARACTERS)
    with database.session() as session:
        found = users.find_user_by_email(session=session, email="QUOTE.O'BRIEN@example.com")
        assert found is not None and found.display_name == SQL_METACHARACTERS
        assert users.find_user_by_email(session=session, email="' OR '1'='1") is None
        assert users.count_users(session=session) == 1
    assert user.id == found.id


def test_role_change_and_disable_are_audited_and_disable_ends_sessions(
    database: Database,
) -> None:
    make_user(database, "admin")
    person = make_user(database, "viewer")
    assert person.id is not None
    with database.session() as session:
        create_session(session=session, user=person, ttl=timedelta(hours=1))
        session.commit()
        users.update_user(
            session=session,
            user_id=person.id,
            changes=UserUpdate(role="operator", disabled=True),
            actor="user:1",
        )
        actions = [e.action for e in session.exec(select(AuditEvent)).all()]
        browser = session.exec(select(BrowserSession)).one()
    assert actions[-2:] == ["user.role_changed", "user.disabled"]
    assert browser.revoked_at is not None


def test_the_last_active_admin_cannot_be_demoted_disabled_or_deleted(database: Database) -> None:
    admin = make_user(database, "admin")
    assert admin.id is not None
    before = _rows(database)
    with database.session() as session:
        for changes in (UserUpdate(role="viewer"), UserUpdate(disabled=True)):
            with pytest.raises(LastAdmin):
                users.update_user(session=session, user_id=admin.id, changes=changes, actor="t")
        with pytest.raises(LastAdmin):
            users.delete_user(session=session, user_id=admin.id, actor="t")
    assert _rows(database) == before
    make_user(database, "admin")
    with database.session() as session:
        users.update_user(
            session=session, user_id=admin.id, changes=UserUpdate(role="viewer"), actor="t"
        )


def test_deleting_a_user_takes_their_tokens_and_sessions(database: Database) -> None:
    make_user(database, "admin")
    person = make_user(database, "operator")
    assert person.id is not None
    with database.session() as session:
        created = tokens.create_token(
            session=session, owner=person, data=ApiTokenCreate(name="cam"), actor="t"
        )
        users.delete_user(session=session, user_id=person.id, actor="t")
        assert session.exec(select(ApiToken)).all() == []
        assert tokens.find_active_token(session=session, secret=created.token) is None
        with pytest.raises(UnknownUser):
            users.get_user(session=session, user_id=person.id)
