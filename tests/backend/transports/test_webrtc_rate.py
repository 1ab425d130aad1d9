"""The rate hint: down to the rate served while frames are superseded, back up when not."""

from __future__ import annotations

from posestudio.transports.webrtc_rate import RateHint


def test_the_hint_follows_the_rate_served() -> None:
    rate = RateHint(ceiling=15)
    assert rate.update(0.0, processed=0, superseded=0) is None  # the first look: a baseline
    assert rate.update(0.5, processed=7, superseded=0) is None  # under a period
    assert rate.update(1.0, processed=15, superseded=0) is None  # no drops, no hint yet
    # Served 6 a second while frames were superseded: the sender should send 6.
    assert rate.update(2.0, processed=21, superseded=9) == 6
    assert rate.update(3.0, processed=26, superseded=12) == 5
    assert rate.update(4.0, processed=31, superseded=13) is None  # still 5: nothing new
    # Quiet seconds: it climbs by a quarter (at least one), up to the ceiling.
    climbed = [rate.update(5.0 + i, processed=31 + 5 * i, superseded=13) for i in range(6)]
    assert climbed == [6, 7, 8, 10, 12, 15]
    assert rate.update(11.0, processed=70, superseded=13) is None
    # Never below one frame a second.
    assert rate.update(12.0, processed=70, superseded=20) == 1
