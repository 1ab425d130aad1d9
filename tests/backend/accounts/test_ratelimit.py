from __future__ import annotations

import pytest

from posestudio.accounts.ratelimit import SignInLimiter
from posestudio.errors import RateLimited


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _limiter(clock: Clock) -> SignInLimiter:
    return SignInLimiter(per_account=3, per_client=5, window_s=60, clock=clock)


def test_an_account_is_limited_after_its_failures_until_the_window_passes() -> None:
    clock = Clock()
    limiter = _limiter(clock)
    for _ in range(3):
        limiter.check("a@example.com", "10.0.0.1")
        limiter.failed("A@example.com", "10.0.0.1")
    with pytest.raises(RateLimited) as caught:
        limiter.check("a@example.com", "10.0.0.2")
    assert caught.value.code == "RATE_LIMITED"
    assert caught.value.details == {"retry_after_s": 60}
    limiter.check("b@example.com", "10.0.0.2")
    clock.now += 60.5
    limiter.check("a@example.com", "10.0.0.2")


def test_a_client_is_limited_across_accounts() -> None:
    limiter = _limiter(Clock())
    for n in range(5):
        limiter.failed(f"p{n}@example.com", "10.0.0.9")
    with pytest.raises(RateLimited):
        limiter.check("fresh@example.com", "10.0.0.9")
    limiter.check("fresh@example.com", "10.0.0.10")


def test_success_clears_the_account_but_not_the_client() -> None:
    limiter = _limiter(Clock())
    for _ in range(2):
        limiter.failed("a@example.com", "10.0.0.1")
    limiter.succeeded("a@example.com")
    for _ in range(2):
        limiter.failed("a@example.com", "10.0.0.1")
    limiter.check("a@example.com", None)
    limiter.failed("a@example.com", "10.0.0.1")
    with pytest.raises(RateLimited):
        limiter.check("a@example.com", None)
