"""The safety envelope on a clock of the test's own: clamps, ramps, deadman, watchdog, e-stop."""

from __future__ import annotations

import itertools
import math
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from posestudio_core.errors import CommandStale, RobotEstopped
from posestudio_robot.envelope import ZERO, Envelope, check_fresh, is_stale
from posestudio_robot.limits import CEILINGS, DEFAULTS, Limits, limits_for
from posestudio_robot.models import LimitsIn, RobotCommand

PERIOD = 0.05
GO2 = DEFAULTS["go2"]


def envelope(limits: Limits = GO2) -> Envelope:
    return Envelope(limits, deadman_s=0.4, watchdog_s=0.5, send_period_s=PERIOD)


def test_targets_are_clamped_per_axis() -> None:
    env = envelope()
    assert env.move(5.0, -3.0, 9.0, now=0.0) == (GO2.max_vx, -GO2.max_vy, GO2.max_yaw)
    assert env.move(0.2, 0.1, -0.3, now=0.05) == (0.2, 0.1, -0.3)
    assert env.clamps == 1


def test_the_sent_velocity_ramps_at_the_acceleration_limit() -> None:
    env = envelope()
    env.tick(0.0)
    xs = []
    # Commands keep coming (the studio's fixed rate) so the deadman stays quiet.
    for i in range(1, 20):
        env.move(1.0, 0.0, 1.0, now=PERIOD * i)
        step = env.tick(PERIOD * i)
        assert step.velocity is not None
        xs.append(step.velocity[0])
    # 2 m/s² over 50 ms ticks: 0.1 m/s more each tick, then the target.
    assert xs[:3] == pytest.approx([0.1, 0.2, 0.3])
    assert all(b - a <= GO2.max_accel * PERIOD + 1e-9 for a, b in itertools.pairwise(xs))
    assert step.velocity == (1.0, 0.0, 1.0)


def test_a_late_tick_does_not_jump() -> None:
    env = envelope()
    env.tick(0.0)
    env.move(1.0, 0.0, 0.0, now=0.3)
    step = env.tick(0.3)  # 300 ms since the last tick: ramped as two periods
    assert step.velocity == pytest.approx((2 * PERIOD * GO2.max_accel, 0.0, 0.0))


def test_the_deadman_stops_after_silence() -> None:
    env = envelope()
    env.tick(0.0)
    env.move(0.5, 0.0, 0.0, now=0.0)
    assert env.tick(0.4).velocity is not None and not env.tick(0.4).stop_move
    step = env.tick(0.45)
    assert step.velocity == ZERO and step.stop_move and step.reason == "deadman"
    # Then quiet: nothing more to send until the next move.
    assert env.tick(0.5).velocity is None


def test_an_idle_robot_sends_nothing() -> None:
    env = envelope()
    assert all(env.tick(PERIOD * i).velocity is None for i in range(20))


def test_stop_is_at_once_and_never_a_damp() -> None:
    env = envelope()
    env.move(0.5, 0.0, 0.0, now=0.0)
    env.tick(0.05)
    step = env.stop()
    assert step.velocity == ZERO and step.stop_move
    assert not env.estopped and env.tick(0.1).velocity is None


def test_estop_latches_until_cleared() -> None:
    env = envelope()
    env.move(0.5, 0.0, 0.0, now=0.0)
    env.estop()
    assert env.tick(0.05).velocity is None
    with pytest.raises(RobotEstopped):
        env.move(0.1, 0.0, 0.0, now=0.1)
    env.clear_estop()
    assert env.move(0.1, 0.0, 0.0, now=0.2) == (0.1, 0.0, 0.0)


def test_the_watchdog_counts_from_the_last_state() -> None:
    env = envelope()
    assert not env.watchdog_expired(100.0)  # no link yet: nothing to watch
    env.reset_watchdog(0.0)
    env.state_seen(0.3)
    assert not env.watchdog_expired(0.8)
    assert env.watchdog_expired(0.81)


def test_stale_commands_are_refused() -> None:
    assert not is_stale(100.0, 200, 100.19)
    assert is_stale(100.0, 200, 100.21)
    with pytest.raises(CommandStale):
        check_fresh(100.0, 200, 100.5)


def test_registry_limits_are_capped_at_the_models_ceiling() -> None:
    given_limits = LimitsIn(max_vx=99.0, max_yaw=0.5)
    lim = limits_for("g1", given_limits)
    assert lim.max_vx == CEILINGS["g1"].max_vx
    assert lim.max_yaw == 0.5
    assert lim.max_vy == DEFAULTS["g1"].max_vy


def test_nan_and_infinite_velocities_count_as_zero() -> None:
    command = RobotCommand.model_validate(
        {
            "robot_id": "r",
            "seq": 1,
            "issued_at": 0,
            "deadline_ms": 100,
            "command": {"kind": "move", "x": math.nan, "y": math.inf, "z": 0.1},
        }
    )
    assert (command.command.x, command.command.y) == (0.0, 0.0)  # type: ignore[union-attr]


finite = st.floats(allow_nan=False, allow_infinity=False, min_value=-1e6, max_value=1e6)


@given(st.lists(st.tuples(finite, finite, finite, st.floats(0.0, 0.2)), min_size=1, max_size=60))
def test_no_clamp_or_ramp_is_ever_exceeded(moves: list[tuple[float, float, float, float]]) -> None:
    env = envelope()
    now, prev = 0.0, ZERO
    env.tick(now)
    for x, y, z, gap in moves:
        now += gap
        env.move(x, y, z, now)
        step = env.tick(now)
        if step.velocity is None:
            continue
        vx, vy, vz = step.velocity
        assert abs(vx) <= GO2.max_vx and abs(vy) <= GO2.max_vy and abs(vz) <= GO2.max_yaw
        if not step.stop_move:
            dt = min(gap, 2 * PERIOD)
            assert abs(vx - prev[0]) <= GO2.max_accel * dt + 1e-9
            assert abs(vz - prev[2]) <= GO2.max_yaw_accel * dt + 1e-9
        prev = step.velocity


def test_only_the_driver_imports_the_client_package() -> None:
    # It patches aioice and aiortc process-wide: never in this process, never beside the
    # envelope, the runner or the backend link.
    import posestudio_robot.fleet
    import posestudio_robot.link
    import posestudio_robot.metrics
    import posestudio_robot.runner  # noqa: F401

    assert not [m for m in sys.modules if m.startswith("unitree_webrtc_connect")]
