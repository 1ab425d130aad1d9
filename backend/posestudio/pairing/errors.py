"""The pairing's domain errors."""

from __future__ import annotations

from posestudio.errors import BadRequest


class BadPairingCode(BadRequest):
    """An unknown, expired or already used pairing code (details.reason says which)."""

    code = "BAD_PAIRING_CODE"
