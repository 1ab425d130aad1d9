"""The per-address token bucket of failed authentications, on a clock the test moves."""

from __future__ import annotations

from posestudio.transports.throttle import AuthThrottle


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_an_address_is_throttled_after_its_budget_and_recovers_at_the_refill_rate() -> None:
    clock = Clock()
    throttle = AuthThrottle(6, clock=clock)  # one failure back every 10 s
    for _ in range(6):
        assert throttle.refuse("10.0.0.1") == 0
        throttle.failure("10.0.0.1")
    assert throttle.refuse("10.0.0.1") == 10
    assert throttle.refuse("10.0.0.2") == 0  # other addresses are untouched
    clock.now += 9.0
    assert throttle.refuse("10.0.0.1") == 1
    clock.now += 1.0
    assert throttle.refuse("10.0.0.1") == 0
    assert throttle.throttled_total == 2


def test_successes_cost_nothing_and_the_bucket_never_overfills() -> None:
    clock = Clock()
    throttle = AuthThrottle(3, clock=clock)
    throttle.failure("a")
    clock.now += 3600
    for _ in range(3):
        throttle.failure("a")
    assert throttle.retry_after("a") > 0


def test_the_number_of_addresses_tracked_is_bounded() -> None:
    throttle = AuthThrottle(1, clock=Clock(), max_addresses=100)
    for i in range(1000):
        throttle.failure(f"10.0.{i // 256}.{i % 256}")
    assert len(throttle._buckets) == 100
    assert throttle.retry_after("10.0.3.231") > 0  # the newest is still remembered
