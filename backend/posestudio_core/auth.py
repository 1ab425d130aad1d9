"""Who a request acts as: credentials in, a `Principal` out.

Every HTTP route and Socket.IO connection of every service goes through an
`Authenticator`; what the principal may then do is `permissions.authorize`'s business.
"""

from __future__ import annotations

import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

TOKEN_FILE = "token"
# The browser's sign-in session cookie (set by the accounts service).
SESSION_COOKIE = "posestudio_session"

Role = Literal["viewer", "operator", "admin"]
# Ordered: each role may do everything the roles before it may.
ROLES: tuple[Role, ...] = ("viewer", "operator", "admin")


def role_rank(role: Role) -> int:
    """viewer 0 < operator 1 < admin 2."""
    return ROLES.index(role)


BOOTSTRAP_SUBJECT = "token"
"""The subject of the install's one shared (bootstrap) token."""


@dataclass(frozen=True)
class Principal:
    """Who a request acts as.

    `subject` is the stable owner key of what the principal creates: "user:<id>" for a
    person, "token" for the one shared (bootstrap) token. `scopes`, when set, narrows
    the role further to those actions (a pairing token: {"stream.start"}).
    """

    subject: str
    role: Role = "admin"
    display_name: str | None = None
    scopes: frozenset[str] | None = None


@dataclass(frozen=True)
class Credentials:
    """What a request presented: an API token, a session cookie, the client's address."""

    token: str | None = None
    session: str | None = None
    client: str | None = None


class Authenticator(Protocol):
    def authenticate(self, credentials: Credentials) -> Principal | None:
        """The principal the credentials name, or None. Fast; may hit the database."""
        ...


class TokenAuthenticator:
    """The one shared access token, checked in constant time; it acts as an admin."""

    def __init__(self, token: str) -> None:
        if not token:
            raise ValueError("an empty access token would let everyone in")
        self._token = token.encode()

    def authenticate(self, credentials: Credentials) -> Principal | None:
        presented = credentials.token
        if not presented:
            return None
        if hmac.compare_digest(presented.encode(), self._token):
            return Principal(subject=BOOTSTRAP_SUBJECT, role="admin")
        return None


def load_or_create_token(data_dir: Path) -> str:
    """Return the token stored in `data_dir`, creating one (mode 0600) on first start."""
    path = data_dir / TOKEN_FILE
    if path.is_file():
        token = path.read_text().strip()
        if token:
            return token
    data_dir.mkdir(parents=True, exist_ok=True)
    token = secrets.token_urlsafe(32)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(token + "\n")
    os.replace(tmp, path)
    return token


def bearer_token(authorization: str | None) -> str | None:
    """The token from an `Authorization: Bearer …` header, if any."""
    if not authorization:
        return None
    scheme, _, value = authorization.partition(" ")
    if scheme.lower() != "bearer" or not value:
        return None
    return value.strip()


def scrape_allowed(expected: str | None, authorization: str | None) -> bool:
    """Whether a `/metrics` request may read: always when no scrape token is set."""
    if expected is None:
        return True
    presented = bearer_token(authorization)
    return presented is not None and hmac.compare_digest(presented.encode(), expected.encode())
