"""Browser sessions: server-side, expiring, revocable; the cookie holds only a secret."""

from __future__ import annotations

from datetime import UTC, timedelta

from sqlmodel import Session, col, select

from posestudio.accounts.keys import digest, new_secret
from posestudio.accounts.models import BrowserSession, User
from posestudio.db.database import utcnow

COOKIE_NAME = "posestudio_session"


def create_session(
    *, session: Session, user: User, ttl: timedelta, client: str | None = None
) -> str:
    """The cookie value of a new session for `user` (the caller commits)."""
    secret = new_secret()
    assert user.id is not None
    session.add(
        BrowserSession(
            user_id=user.id,
            token_hash=digest(secret),
            expires_at=utcnow() + ttl,
            client=client[:64] if client else None,
        )
    )
    return secret


def find_active_session(*, session: Session, secret: str) -> tuple[BrowserSession, User] | None:
    row = session.exec(
        select(BrowserSession, User)
        .join(User, col(User.id) == col(BrowserSession.user_id))
        .where(BrowserSession.token_hash == digest(secret))
    ).first()
    if row is None:
        return None
    browser, user = row
    if browser.revoked_at is not None or user.disabled:
        return None
    expires = browser.expires_at
    if expires.tzinfo is None:
        expires = expires.replace(tzinfo=UTC)
    if expires <= utcnow():
        return None
    return browser, user


def end_session(*, session: Session, secret: str) -> BrowserSession | None:
    """Revoke the session with this cookie value (sign out); None if there is none."""
    browser = session.exec(
        select(BrowserSession).where(BrowserSession.token_hash == digest(secret))
    ).first()
    if browser is not None and browser.revoked_at is None:
        browser.revoked_at = utcnow()
        session.add(browser)
    return browser
