from __future__ import annotations

import stat
from pathlib import Path

import pytest

from posestudio.auth import Authenticator, bearer_token, load_or_create_token, scrape_allowed


def test_token_is_generated_once_private_and_reused(tmp_path: Path) -> None:
    first = load_or_create_token(tmp_path / "data")
    assert len(first) >= 32
    path = tmp_path / "data" / "token"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_or_create_token(tmp_path / "data") == first


def test_authenticate_accepts_only_the_token() -> None:
    auth = Authenticator("s3cret-token")
    assert auth.authenticate("s3cret-token") is not None
    for wrong in (None, "", "s3cret", "s3cret-token ", "S3CRET-TOKEN"):
        assert auth.authenticate(wrong) is None


def test_empty_token_is_refused() -> None:
    with pytest.raises(ValueError):
        Authenticator("")


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


def test_http_token_comes_from_the_bearer_header_or_the_query() -> None:
    auth = Authenticator("s3cret-token")
    assert auth.authenticate_http("Bearer s3cret-token", None) is not None
    assert auth.authenticate_http(None, "s3cret-token") is not None
    assert auth.authenticate_http("Bearer wrong", None) is None
    assert auth.authenticate_http(None, None) is None


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
