"""The accounts' `Authenticator`: API tokens and browser sessions from the database,
and the paired phones' stream-only tokens (`psp_…`, in memory).

The bootstrap token (`POSE_STUDIO_TOKEN`, or the generated `data/token` of an install
from before accounts) still acts as an admin API token, so an upgrade locks nobody out.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from sqlmodel import Session

from posestudio.accounts.keys import API_TOKEN_PREFIX
from posestudio.accounts.models import User
from posestudio.accounts.sessions import find_active_session
from posestudio.accounts.tokens import find_active_token
from posestudio.db.database import Database, utcnow
from posestudio.pairing.book import PAIRING_TOKEN_PREFIX, PairingBook
from posestudio_core.auth import ROLES, Credentials, Principal, TokenAuthenticator, role_rank

# last_used_at is a hint for people, not an access log: one write a minute per token.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class DbAuthenticator:
    """Credentials -> Principal: the bootstrap token, an API token, or a session cookie.

    A presented token decides alone: a wrong one never falls back to the cookie.
    """

    def __init__(
        self,
        database: Database,
        *,
        bootstrap_token: str | None,
        pairing: PairingBook | None = None,
    ) -> None:
        self.database = database
        self.pairing = pairing
        self._bootstrap = TokenAuthenticator(bootstrap_token) if bootstrap_token else None

    def authenticate(self, credentials: Credentials) -> Principal | None:
        if credentials.token:
            if self._bootstrap is not None:
                principal = self._bootstrap.authenticate(credentials)
                if principal is not None:
                    return principal
            if credentials.token.startswith(PAIRING_TOKEN_PREFIX) and self.pairing is not None:
                return self._phone(self.pairing.authenticate(credentials.token))
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

    def _phone(self, principal: Principal | None) -> Principal | None:
        """A paired phone acts as the person who paired it, as they are now: gone or
        disabled takes the phone down, demoted lowers it (like their API tokens)."""
        if principal is None or not principal.subject.startswith("user:"):
            return principal  # the bootstrap token's pairings stand with it
        with self.database.session() as session:
            user = session.get(User, int(principal.subject.removeprefix("user:")))
        if user is None or user.disabled:
            return None
        role = ROLES[min(role_rank(principal.role), role_rank(user.role))]
        return replace(principal, role=role)

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
        # A scoped token is limited to its actions the way a paired phone is (`authorize`).
        scopes = frozenset(token.scopes) if token.scopes is not None else None
        return Principal(
            subject=owner.subject, role=role, display_name=owner.display_name, scopes=scopes
        )
