"""One authenticate function for every HTTP route and Socket.IO connection.

Users and roles can replace `Authenticator.authenticate` later without touching routes.
The agent service imports this module too, so it must stay free of heavy imports.
"""

from __future__ import annotations

import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

TOKEN_FILE = "token"


@dataclass(frozen=True)
class Principal:
    """Who a request acts as. One shared identity until users exist."""

    subject: str


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


class Authenticator:
    """Checks a presented token against the one access token, in constant time."""

    def __init__(self, token: str) -> None:
        if not token:
            raise ValueError("an empty access token would let everyone in")
        self._token = token.encode()

    def authenticate(self, presented: str | None) -> Principal | None:
        if not presented:
            return None
        if hmac.compare_digest(presented.encode(), self._token):
            return Principal(subject="owner")
        return None

    def authenticate_http(
        self, authorization: str | None, query_token: str | None
    ) -> Principal | None:
        """An HTTP request's token: the Bearer header, else the `token` query parameter."""
        return self.authenticate(bearer_token(authorization) or query_token)


def scrape_allowed(expected: str | None, authorization: str | None) -> bool:
    """Whether a `/metrics` request may read: always when no scrape token is set."""
    if expected is None:
        return True
    presented = bearer_token(authorization)
    return presented is not None and hmac.compare_digest(presented.encode(), expected.encode())


def bearer_token(authorization: str | None) -> str | None:
    """The token from an `Authorization: Bearer …` header, if any."""
    if not authorization:
        return None
    scheme, _, value = authorization.partition(" ")
    if scheme.lower() != "bearer" or not value:
        return None
    return value.strip()
