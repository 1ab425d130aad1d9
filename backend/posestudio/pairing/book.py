"""Pairing codes and the phone tokens they become, in this process's memory.

A code lives `code_seconds` and is claimed once; the claim returns a `psp_…` token
whose principal is the person who paired, limited to `PHONE_SCOPES` and to
`token_hours`. Kept in memory like the sign-in limiter: one backend serves a studio,
and a restart only means scanning the QR code again. Both tables are bounded.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, replace

from posestudio.accounts.keys import digest, new_secret
from posestudio.accounts.ratelimit import FailureWindow
from posestudio.errors import RateLimited
from posestudio.pairing.errors import BadPairingCode
from posestudio_core.auth import Principal
from posestudio_core.permissions import Action

PAIRING_TOKEN_PREFIX = "psp_"
# What a paired phone may do: stream its camera, nothing else (not even read the API).
PHONE_SCOPES = frozenset({Action.STREAM_START.value, Action.STREAM_STOP.value})
# Easy to read aloud and type: no 0/O, 1/I/L.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8
MAX_CODES = 1000
MAX_TOKENS = 1000
# A spent or expired code is remembered this long, so a second scan hears why.
REMEMBER_S = 3600.0


@dataclass(frozen=True)
class PairingCode:
    code: str
    principal: Principal
    expires_at: float  # unix seconds
    claimed: bool = False


@dataclass(frozen=True)
class PhoneToken:
    token: str
    principal: Principal
    expires_at: float  # unix seconds


class PairingBook:
    """Codes made by operators, claimed by phones; thread-safe."""

    def __init__(
        self,
        *,
        code_seconds: float,
        token_hours: float,
        claim_failures_per_minute: int,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.code_seconds = code_seconds
        self.token_seconds = token_hours * 3600
        self._clock = clock
        self._lock = threading.Lock()
        self._codes: OrderedDict[str, PairingCode] = OrderedDict()
        # sha256 of the token -> the phone's principal and expiry
        self._tokens: OrderedDict[str, tuple[Principal, float]] = OrderedDict()
        self._failures = FailureWindow(claim_failures_per_minute, 60.0, time.monotonic)

    def create(self, principal: Principal) -> PairingCode:
        """A new code for `principal` (who must already be allowed to pair)."""
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        entry = PairingCode(code, principal, self._clock() + self.code_seconds)
        with self._lock:
            self._forget_old()
            self._codes[code] = entry
            while len(self._codes) > MAX_CODES:
                self._codes.popitem(last=False)
        return entry

    def claim(self, code: str, client: str | None) -> PhoneToken:
        """The phone token for a live, unused code; the code is spent. Failed claims per
        client address are limited (a code is 40 random bits, and guessing is slow)."""
        key = client or "unknown"
        normalized = code.strip().upper().replace("-", "")
        with self._lock:
            wait = self._failures.retry_after(key)
            if wait is not None:
                raise RateLimited(
                    "too many wrong pairing codes; try again in a minute",
                    details={"retry_after_s": max(1, round(wait))},
                )
            entry = self._codes.get(normalized)
            now = self._clock()
            reason = None
            if entry is None:
                reason = "unknown"
            elif entry.claimed:
                reason = "used"
            elif entry.expires_at <= now:
                reason = "expired"
            if reason is not None or entry is None:
                self._failures.fail(key)
                raise BadPairingCode(_MESSAGES[reason or "unknown"], details={"reason": reason})
            self._codes[normalized] = replace(entry, claimed=True)
            token = new_secret(PAIRING_TOKEN_PREFIX)
            who = entry.principal
            principal = Principal(
                subject=who.subject,
                role=who.role,
                display_name=f"{who.display_name or who.subject} (phone)",
                scopes=PHONE_SCOPES,
            )
            expires_at = now + self.token_seconds
            self._tokens[digest(token)] = (principal, expires_at)
            while len(self._tokens) > MAX_TOKENS:
                self._tokens.popitem(last=False)
        return PhoneToken(token, principal, expires_at)

    def authenticate(self, token: str) -> Principal | None:
        """The phone's principal for a live phone token, else None."""
        key = digest(token)
        with self._lock:
            found = self._tokens.get(key)
            if found is None:
                return None
            principal, expires_at = found
            if expires_at <= self._clock():
                del self._tokens[key]
                return None
            return principal

    def _forget_old(self) -> None:
        cutoff = self._clock() - REMEMBER_S
        for code in [c for c, e in self._codes.items() if e.expires_at <= cutoff]:
            del self._codes[code]


_MESSAGES = {
    "unknown": "no such pairing code: check it, or show a new QR code in the studio",
    "used": "this pairing code was used already: show a new QR code in the studio",
    "expired": "this pairing code has expired: show a new QR code in the studio",
}
