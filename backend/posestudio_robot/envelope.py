"""The safety envelope of one robot: clamps, ramps, the deadman, the watchdog, the e-stop latch.

Pure state: every method takes `now` (monotonic seconds), so the tests drive it with a
clock of their own. The robot's runner calls `tick` at the fixed send rate and sends what
it returns.
"""

from __future__ import annotations

from dataclasses import dataclass

from posestudio_core.errors import CommandStale, RobotEstopped
from posestudio_robot.limits import Limits

ZERO = (0.0, 0.0, 0.0)
Vec = tuple[float, float, float]


@dataclass(frozen=True)
class Step:
    """What to send this tick: a velocity (or nothing), then StopMove when `stop_move`."""

    velocity: Vec | None = None
    stop_move: bool = False
    reason: str = ""


def _clamp(value: float, limit: float) -> float:
    return max(-limit, min(limit, value))


def _approach(current: float, target: float, max_step: float) -> float:
    if abs(target - current) <= max_step:
        return target
    return current + max_step if target > current else current - max_step


def is_stale(issued_at: float, deadline_ms: int, wall_now: float) -> bool:
    """Whether a command issued at `issued_at` (Unix s) is past its deadline at `wall_now`."""
    return wall_now - issued_at > deadline_ms / 1000


def check_fresh(issued_at: float, deadline_ms: int, wall_now: float) -> None:
    if is_stale(issued_at, deadline_ms, wall_now):
        late = (wall_now - issued_at) * 1000 - deadline_ms
        raise CommandStale(f"command arrived {late:.0f} ms after its deadline")


class Envelope:
    """One robot's envelope. Not thread-safe: the runner's loop owns it."""

    def __init__(
        self, limits: Limits, *, deadman_s: float, watchdog_s: float, send_period_s: float
    ) -> None:
        self.limits = limits
        self.deadman_s = deadman_s
        self.watchdog_s = watchdog_s
        # A late tick ramps as if at most two periods had passed: no jump after a stall.
        self._max_dt = 2 * send_period_s
        self.target: Vec = ZERO
        self.sent: Vec = ZERO
        self.estopped = False
        self._last_move: float | None = None
        self._last_tick: float | None = None
        self._last_state: float | None = None
        self.clamps = 0

    # Commands
    def clamp(self, x: float, y: float, z: float) -> Vec:
        lim = self.limits
        return (_clamp(x, lim.max_vx), _clamp(y, lim.max_vy), _clamp(z, lim.max_yaw))

    def move(self, x: float, y: float, z: float, now: float) -> Vec:
        """Take a velocity target (clamped, returned); refused while e-stopped."""
        if self.estopped:
            raise RobotEstopped("e-stopped: clear the e-stop first")
        target = self.clamp(x, y, z)
        if target != (x, y, z):
            self.clamps += 1
        self.target = target
        self._last_move = now
        return target

    def stop(self) -> Step:
        """A normal stop: zero at once, then StopMove (never a damp)."""
        self.target = self.sent = ZERO
        self._last_move = None
        return Step(velocity=ZERO, stop_move=True, reason="stop")

    def estop(self) -> None:
        self.estopped = True
        self.target = self.sent = ZERO
        self._last_move = None

    def clear_estop(self) -> None:
        self.estopped = False

    # Time
    def tick(self, now: float) -> Step:
        """What to send now: the ramped velocity, or the deadman's stop, or nothing."""
        last_tick, self._last_tick = self._last_tick, now
        if self.estopped:
            return Step()
        moving = self.target != ZERO or self.sent != ZERO
        if not moving:
            return Step()
        if self._last_move is None or now - self._last_move > self.deadman_s:
            self.target = self.sent = ZERO
            self._last_move = None
            return Step(velocity=ZERO, stop_move=True, reason="deadman")
        dt = 0.0 if last_tick is None else max(0.0, min(now - last_tick, self._max_dt))
        lim = self.limits
        step_xy, step_z = lim.max_accel * dt, lim.max_yaw_accel * dt
        tx, ty, tz = self.target
        sx, sy, sz = self.sent
        self.sent = (
            _approach(sx, tx, step_xy),
            _approach(sy, ty, step_xy),
            _approach(sz, tz, step_z),
        )
        return Step(velocity=self.sent)

    def state_seen(self, now: float) -> None:
        """The robot sent state (any telemetry topic)."""
        self._last_state = now

    def watchdog_expired(self, now: float) -> bool:
        """No state for longer than the watchdog allows (since the link came up)."""
        return self._last_state is not None and now - self._last_state > self.watchdog_s

    def reset_watchdog(self, now: float) -> None:
        """A fresh link: the watchdog counts from now."""
        self._last_state = now
