"""Password hashing (argon2 through pwdlib) and the password rules."""

from __future__ import annotations

from functools import cache
from importlib import resources

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from posestudio.accounts.errors import WeakPassword

MIN_LENGTH = 12
MAX_LENGTH = 256
MIN_DISTINCT = 5

_hasher = PasswordHash((Argon2Hasher(),))


@cache
def _dummy_hash() -> str:
    """Verified against when the email is unknown, so that the answer takes as long as
    for a wrong password (no account enumeration by timing)."""
    return _hasher.hash("not-a-password-anyone-has")


@cache
def common_passwords() -> frozenset[str]:
    text = resources.files("posestudio.accounts").joinpath("common_passwords.txt").read_text()
    return frozenset(
        line.strip().lower() for line in text.splitlines() if line.strip() and line[0] != "#"
    )


def check_password_rules(password: str, *, email: str | None = None) -> None:
    """Raise WeakPassword (with the reason in details) unless the password is allowed."""
    problem = None
    if len(password) < MIN_LENGTH:
        problem = f"shorter than {MIN_LENGTH} characters"
    elif len(password) > MAX_LENGTH:
        problem = f"longer than {MAX_LENGTH} characters"
    elif password.lower() in common_passwords():
        problem = "one of the most common passwords"
    elif len(set(password)) < MIN_DISTINCT:
        problem = f"fewer than {MIN_DISTINCT} different characters"
    elif email and password.lower() in {email.lower(), email.split("@")[0].lower()}:
        problem = "the same as the email address"
    if problem is not None:
        raise WeakPassword(f"password is {problem}", details={"rule": problem})


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password: str, password_hash: str | None) -> bool:
    """Constant work whether or not there is a hash to check against."""
    if password_hash is None:
        _hasher.verify(password, _dummy_hash())
        return False
    return _hasher.verify(password, password_hash)
