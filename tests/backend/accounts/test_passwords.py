from __future__ import annotations

import pytest

from posestudio.accounts.errors import WeakPassword
from posestudio.accounts.passwords import (
    check_password_rules,
    common_passwords,
    hash_password,
    verify_password,
)


def test_a_hash_is_argon2_salted_and_verifies_only_its_password() -> None:
    first = hash_password("a long enough passphrase")
    second = hash_password("a long enough passphrase")
    assert first.startswith("$argon2id$")
    assert first != second
    assert verify_password("a long enough passphrase", first)
    assert not verify_password("a long enough passphrasE", first)


def test_verifying_against_no_hash_is_always_false() -> None:
    assert not verify_password("anything at all here", None)


@pytest.mark.parametrize(
    ("password", "rule"),
    [
        ("short-pw1", "shorter than 12"),
        ("x" * 257, "longer than 256"),
        ("password1234", "most common"),
        ("QWERTY123456", "most common"),
        ("aaaaaaaaaaaaaaab", "different characters"),
        ("someone.long@example.com", "same as the email"),
        ("someone.long", "same as the email"),
    ],
)
def test_weak_passwords_are_refused_with_the_rule(password: str, rule: str) -> None:
    with pytest.raises(WeakPassword) as caught:
        check_password_rules(password, email="someone.long@example.com")
    assert caught.value.code == "WEAK_PASSWORD"
    assert rule in caught.value.message


def test_a_good_password_passes() -> None:
    check_password_rules("violet-tram-under-rain", email="a@example.com")


def test_the_common_list_is_loaded_lowercased_without_comments() -> None:
    common = common_passwords()
    assert len(common) > 200
    assert "password1234" in common
    assert not any(entry.startswith("#") or entry != entry.lower() for entry in common)
