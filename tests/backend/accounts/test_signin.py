"""Sign-in: one answer for every wrong pair, rate limited, audited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import col, select

from posestudio.accounts import users
from posestudio.accounts.errors import InvalidCredentials
from posestudio.accounts.models import AuditEvent, BrowserSession, UserUpdate
from posestudio.accounts.ratelimit import SignInLimiter
from posestudio.accounts.sessions import find_active_session
from posestudio.accounts.signin import sign_in
from posestudio.db.database import Database
from posestudio.errors import RateLimited
from tests.backend.accounts.factories import PASSWORD, make_user

TTL = timedelta(hours=1)


def _limiter() -> SignInLimiter:
    return SignInLimiter(per_account=3, per_client=100, window_s=600)


def _attempt(database: Database, limiter: SignInLimiter, email: str, password: str) -> str:
    with database.session() as session:
        _, secret = sign_in(
            session=session,
            limiter=limiter,
            email=email,
            password=password,
            ttl=TTL,
            client="10.1.2.3",
        )
        return secret


def test_the_right_pair_opens_a_session(database: Database) -> None:
    user = make_user(database, email="kim@example.com")
    secret = _attempt(database, _limiter(), " Kim@Example.com ", PASSWORD)
    with database.session() as session:
        found = find_active_session(session=session, secret=secret)
        assert found is not None and found[1].id == user.id
        stored = session.exec(select(BrowserSession)).one()
        event = session.exec(select(AuditEvent).order_by(col(AuditEvent.id).desc())).first()
    assert stored.token_hash != secret
    assert event is not None and (event.action, event.actor) == ("auth.login.success", user.subject)


def test_unknown_email_wrong_password_and_disabled_get_the_same_answer(
    database: Database,
) -> None:
    make_user(database, "admin")
    person = make_user(database, email="pat@example.com")
    assert person.id is not None
    limiter = SignInLimiter(per_account=100, per_client=100, window_s=600)
    answers = []
    for email, password in (
        ("nobody@example.com", PASSWORD),
        ("pat@example.com", "wrong-password-here"),
        ("pat@example.com", "x" * 300),
    ):
        with pytest.raises(InvalidCredentials) as caught:
            _attempt(database, limiter, email, password)
        answers.append(caught.value.to_wire())
    with database.session() as session:
        users.update_user(
            session=session, user_id=person.id, changes=UserUpdate(disabled=True), actor="t"
        )
    with pytest.raises(InvalidCredentials) as caught:
        _attempt(database, limiter, "pat@example.com", PASSWORD)
    answers.append(caught.value.to_wire())
    assert all(answer == answers[0] for answer in answers)
    with database.session() as session:
        failures = session.exec(
            select(AuditEvent).where(AuditEvent.action == "auth.login.failure")
        ).all()
        assert session.exec(select(BrowserSession)).all() == []
    reasons = [event.details["reason"] for event in failures if event.details]
    assert reasons == ["unknown_email", "wrong_password", "wrong_password", "disabled"]


def test_after_the_failures_even_the_right_password_is_rate_limited(database: Database) -> None:
    make_user(database, email="lee@example.com")
    limiter = _limiter()
    for _ in range(3):
        with pytest.raises(InvalidCredentials):
            _attempt(database, limiter, "lee@example.com", "not-the-password")
    with pytest.raises(RateLimited) as caught:
        _attempt(database, limiter, "LEE@example.com", PASSWORD)
    assert caught.value.code == "RATE_LIMITED"
    assert caught.value.http_status == 429
    with database.session() as session:
        assert session.exec(select(BrowserSession)).all() == []
