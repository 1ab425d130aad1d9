"""Who asks the agent: credentials checked by the backend, and the credential the tools
forward so that the backend answers them as that person.

The agent never reads the accounts itself (it does not import the backend). It asks the
backend's `GET /api/auth/me` with the credentials it was given, and caches the answer
briefly, keyed by a hash of the credential. The one bootstrap token the agent is
configured with is checked locally, as before.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import httpx

from posestudio_agent.settings import AgentSettings
from posestudio_core.auth import (
    ROLES,
    SESSION_COOKIE,
    Authenticator,
    Credentials,
    Principal,
    TokenAuthenticator,
)

log = logging.getLogger(__name__)

# A refusal is remembered only this long: a person who just signed in is not kept out.
REFUSAL_TTL_S = 1.0
AUTH_TIMEOUT_S = 5.0


@dataclass(frozen=True)
class Forwarded:
    """The credential a request's tools present to the backend: an API token (or the
    bootstrap token) as a Bearer header, else the browser's session cookie."""

    token: str | None = None
    session: str | None = None

    @classmethod
    def of(cls, credentials: Credentials) -> Forwarded | None:
        """What to forward for `credentials` (a token decides alone, as in the backend)."""
        if credentials.token:
            return cls(token=credentials.token)
        if credentials.session:
            return cls(session=credentials.session)
        return None

    def headers(self) -> dict[str, str]:
        if self.token:
            return {"Authorization": f"Bearer {self.token}"}
        if self.session:
            return {"Cookie": f"{SESSION_COOKIE}={self.session}"}
        return {}

    def to_json(self) -> dict[str, str | None]:
        return {"token": self.token, "session": self.session}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Forwarded:
        return cls(token=data.get("token"), session=data.get("session"))

    def __repr__(self) -> str:  # never the secret, in logs or tracebacks
        return f"Forwarded({'token' if self.token else 'session'})"


def cache_key(forwarded: Forwarded) -> str:
    kind, secret = ("t", forwarded.token) if forwarded.token else ("s", forwarded.session)
    return hashlib.sha256(f"{kind}:{secret}".encode()).hexdigest()


class BackendAuthenticator:
    """Credentials -> Principal by asking the backend's `GET /api/auth/me` as them.

    Answers are cached for `auth_cache_s` (refusals for `REFUSAL_TTL_S`), at most
    `auth_cache_size` of them, least recently used dropped first. `fresh=True` asks the
    backend whatever the cache holds (an invoke does: a disabled person is refused at
    once). A backend that cannot be reached refuses, uncached.
    """

    def __init__(self, settings: AgentSettings, bootstrap_token: str | None) -> None:
        self.settings = settings
        self._bootstrap = TokenAuthenticator(bootstrap_token) if bootstrap_token else None
        self._client = httpx.Client(timeout=AUTH_TIMEOUT_S)
        self._cache: OrderedDict[str, tuple[float, Principal | None]] = OrderedDict()
        self._lock = threading.Lock()

    def authenticate(self, credentials: Credentials, *, fresh: bool = False) -> Principal | None:
        if self._bootstrap is not None:
            principal = self._bootstrap.authenticate(credentials)
            if principal is not None:
                return principal
        forwarded = Forwarded.of(credentials)
        if forwarded is None:
            return None
        key = cache_key(forwarded)
        if not fresh:
            with self._lock:
                entry = self._cache.get(key)
                if entry is not None and entry[0] > time.monotonic():
                    self._cache.move_to_end(key)
                    return entry[1]
        try:
            principal = self._ask(forwarded)
        except (httpx.HTTPError, ValueError) as exc:
            log.warning("the backend could not check credentials: %s", type(exc).__name__)
            return None
        ttl = self.settings.auth_cache_s if principal is not None else REFUSAL_TTL_S
        with self._lock:
            self._cache[key] = (time.monotonic() + ttl, principal)
            self._cache.move_to_end(key)
            while len(self._cache) > self.settings.auth_cache_size:
                self._cache.popitem(last=False)
        return principal

    def _ask(self, forwarded: Forwarded) -> Principal | None:
        url = self.settings.backend_url.rstrip("/") + "/api/auth/me"
        response = self._client.get(url, headers=forwarded.headers())
        if response.status_code in (401, 403):
            return None
        response.raise_for_status()
        body = response.json()
        role = body.get("role")
        subject = body.get("subject")
        if role not in ROLES or not isinstance(subject, str) or not subject:
            return None
        display_name = body.get("display_name")
        return Principal(
            subject=subject,
            role=role,
            display_name=display_name if isinstance(display_name, str) else None,
        )

    def cached(self) -> int:
        """How many answers the cache holds."""
        with self._lock:
            return len(self._cache)

    def close(self) -> None:
        self._client.close()


def authenticate_fresh(authenticator: Authenticator, credentials: Credentials) -> Principal | None:
    """The principal, past any cache the authenticator keeps."""
    if isinstance(authenticator, BackendAuthenticator):
        return authenticator.authenticate(credentials, fresh=True)
    return authenticator.authenticate(credentials)
