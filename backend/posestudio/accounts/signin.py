"""Sign-in with email and password: rate limited, audited, no account enumeration."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session

from posestudio.accounts import audit
from posestudio.accounts.errors import InvalidCredentials
from posestudio.accounts.models import User
from posestudio.accounts.passwords import MAX_LENGTH, verify_password
from posestudio.accounts.ratelimit import SignInLimiter
from posestudio.accounts.sessions import create_session
from posestudio.accounts.users import find_user_by_email


def sign_in(
    *,
    session: Session,
    limiter: SignInLimiter,
    email: str,
    password: str,
    ttl: timedelta,
    client: str | None,
) -> tuple[User, str]:
    """(the user, the new session's cookie value), or InvalidCredentials / RateLimited.

    An unknown email, a wrong password and a disabled account get the same answer in
    about the same time (a password hash is verified in every case).
    """
    email = email.strip().lower()[:254]
    limiter.check(email, client)
    user = find_user_by_email(session=session, email=email)
    # An oversize password is checked as an empty one against no hash: same work, refused.
    usable = len(password) <= MAX_LENGTH
    stored = user.password_hash if user is not None and usable else None
    valid = verify_password(password if usable else "", stored)
    if user is None or not valid or user.disabled:
        limiter.failed(email, client)
        reason = "unknown_email" if user is None else "disabled" if valid else "wrong_password"
        audit.record(
            session=session,
            action="auth.login.failure",
            actor=None,
            target=email,
            client=client,
            details={"reason": reason},
        )
        session.commit()
        raise InvalidCredentials("wrong email or password")
    limiter.succeeded(email)
    secret = create_session(session=session, user=user, ttl=ttl, client=client)
    audit.record(session=session, action="auth.login.success", actor=user.subject, client=client)
    session.commit()
    return user, secret
