"""The order of roles: viewer < operator < admin."""

from __future__ import annotations

from posestudio.accounts.models import Role

RANK: dict[str, int] = {"viewer": 0, "operator": 1, "admin": 2}


def at_most(role: str, ceiling: str) -> bool:
    return RANK[role] <= RANK[ceiling]


def lower(a: str, b: str) -> Role:
    """The lower of two roles (a token's role against its owner's, today)."""
    low = a if RANK[a] <= RANK[b] else b
    assert low in ("viewer", "operator", "admin")
    return low  # type: ignore[return-value]
