"""An authenticator for tests that need more than one person: each token is a principal."""

from __future__ import annotations

import hmac

from posestudio.auth import Authenticator, Principal

ALICE_TOKEN = "alice-token-0123456789abcdef"
BOB_TOKEN = "bob-token-0123456789abcdef"
ALICE = Principal(subject="user:alice")
BOB = Principal(subject="user:bob")


class TokensAuthenticator(Authenticator):
    """Maps each of several tokens to its own principal (until accounts exist)."""

    def __init__(self, principals: dict[str, Principal]) -> None:
        super().__init__(next(iter(principals)))
        self._principals = principals

    def authenticate(self, presented: str | None) -> Principal | None:
        if not presented:
            return None
        for token, principal in self._principals.items():
            if hmac.compare_digest(presented.encode(), token.encode()):
                return principal
        return None


def two_people() -> TokensAuthenticator:
    return TokensAuthenticator({ALICE_TOKEN: ALICE, BOB_TOKEN: BOB})
