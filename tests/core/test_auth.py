from __future__ import annotations

import stat
from pathlib import Path

import pytest

from posestudio_core.auth import (
    Credentials,
    Principal,
    TokenAuthenticator,
    bearer_token,
    load_or_create_token,
    role_rank,
    scrape_allowed,
)


def test_token_is_generated_once_private_and_reused(tmp_path: Path) -> None:
    first = load_or_create_token(tmp_path / "data")
    assert len(first) >= 32
    path = tmp_path / "data" / "token"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_or_create_token(tmp_path / "data") == first


def test_authenticate_accepts_only_the_token() -> None:
    auth = TokenAuthenticator("s3cret-token")
    assert auth.authenticate(Credentials(token="s3cret-token")) == Principal("token", "admin")
    for wrong in (None, "", "s3cret", "s3cret-token ", "S3CRET-TOKEN"):
        assert auth.authenticate(Credentials(token=wrong)) is None


def test_a_session_or_an_address_alone_is_not_the_token() -> None:
    auth = TokenAuthenticator("s3cret-token")
    assert auth.authenticate(Credentials(session="s3cret-token", client="127.0.0.1")) is None


def test_empty_token_is_refused() -> None:
    with pytest.raises(ValueError):
        TokenAuthenticator("")


@pytest.mark.parametrize(
    ("header", "token"),
    [
        ("Bearer abc", "abc"),
        ("bearer abc", "abc"),
        ("Basic abc", None),
        ("Bearer", None),
        (None, None),
    ],
)
def test_bearer_token(header: str | None, token: str | None) -> None:
    assert bearer_token(header) == token


def test_roles_are_ordered() -> None:
    assert role_rank("viewer") < role_rank("operator") < role_rank("admin")


@pytest.mark.parametrize(
    ("expected", "header", "allowed"),
    [
        (None, None, True),
        ("scrape-1", "Bearer scrape-1", True),
        ("scrape-1", "Bearer scrape-2", False),
        ("scrape-1", None, False),
        ("scrape-1", "scrape-1", False),
    ],
)
def test_scrape_allowed(expected: str | None, header: str | None, allowed: bool) -> None:
    assert scrape_allowed(expected, header) is allowed
