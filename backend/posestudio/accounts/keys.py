"""Opaque secrets (API tokens, session cookies): made here, stored only as sha256."""

from __future__ import annotations

import hashlib
import secrets

API_TOKEN_PREFIX = "pst_"


def new_secret(prefix: str = "") -> str:
    return prefix + secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    """sha256 hex: the secrets are 256 random bits, so a fast hash is enough to store."""
    return hashlib.sha256(secret.encode()).hexdigest()
