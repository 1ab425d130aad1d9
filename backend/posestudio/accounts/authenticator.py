"""The accounts' `Authenticator`: API tokens and browser sessions from the database.

The bootstrap token (`POSE_STUDIO_TOKEN`, or the generated `data/token` of an install
from before accounts) still acts as an admin API token, so an upgrade locks nobody out.
"""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session

from posestudio.accounts.keys import API_TOKEN_PREFIX
from posestudio.accounts.sessions import find_active_session
from posestudio.accounts.tokens import find_active_token
from posestudio.db.database import Database, utcnow
from posestudio_core.auth import ROLES, Credentials, Principal, TokenAuthenticator, role_rank

# last_used_at is a hint for people, not an access log: one write a minute per token.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class DbAuthenticator:
    """Credentials -> Principal: the bootstrap token, an API token, or a session cookie.

    A presented token decides alone: a wrong one never falls back to the cookie.
    """

    def __init__(self, database: Database, *, bootstrap_token: str | None) -> None:
        self.database = database
        self._bootstrap = TokenAuthenticator(bootstrap_token) if bootstrap_token else None

    def authenticate(self, credentials: Credentials) -> Principal | None:
        if credentials.token:
            if self._bootstrap is not None:
                principal = self._bootstrap.authenticate(credentials)
                if principal is not None:
                    return principal
            if not credentials.token.startswith(API_TOKEN_PREFIX):
                return None
            with self.database.session() as session:
                return self._token(session, credentials.token)
        if credentials.session:
            with self.database.session() as session:
                found = find_active_session(session=session, secret=credentials.session)
            if found is None:
                return None
            _, user = found
            return Principal(subject=user.subject, role=user.role, display_name=user.display_name)
        return None

    def _token(self, session: Session, secret: str) -> Principal | None:
        found = find_active_token(session=session, secret=secret)
        if found is None:
            return None
        token, owner = found
        now = utcnow()
        if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
            token.last_used_at = now
            session.add(token)
            session.commit()
        # An owner demoted after making the token takes the token down with them.
        role = ROLES[min(role_rank(token.role), role_rank(owner.role))]
        return Principal(subject=owner.subject, role=role, display_name=owner.display_name)
