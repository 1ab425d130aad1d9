"""An authenticator for tests that need more than one person: each token is a principal."""

from __future__ import annotations

import hmac

from posestudio_core.auth import Credentials, Principal

ALICE_TOKEN = "alice-token-0123456789abcdef"
BOB_TOKEN = "bob-token-0123456789abcdef"
# Operators: they may stream, and see only their own streams (admins see everyone's).
ALICE = Principal(subject="user:alice", role="operator")
BOB = Principal(subject="user:bob", role="operator")


class TokensAuthenticator:
    """Maps each of several tokens to its own principal (until accounts exist)."""

    def __init__(self, principals: dict[str, Principal]) -> None:
        self._principals = principals

    def authenticate(self, credentials: Credentials) -> Principal | None:
        presented = credentials.token
        if not presented:
            return None
        for token, principal in self._principals.items():
            if hmac.compare_digest(presented.encode(), token.encode()):
                return principal
        return None


def two_people() -> TokensAuthenticator:
    return TokensAuthenticator({ALICE_TOKEN: ALICE, BOB_TOKEN: BOB})
