"""Drive a robot from a person's pose: lean, sidestep and turn become velocities.

Read from the world landmarks (metres, hips at the origin, y down, z away from the
camera; the person faces the camera), measured in shoulder widths so that only the
shoulders need be seen (a webcam at a desk sees no hips: their estimate is the origin):

- lean towards the camera or away (shoulders ahead of or behind the hips) → forward speed;
- lean or step to one side (shoulders beside the hips) → lateral speed;
- turn the shoulder line → yaw rate;

and gestures, each held `GESTURE_HOLD_S` before it fires and firing once per hold (the
pose must be left before it fires again), so that a pose passed through never does:

- both wrists above the head → `stand_up`;
- one wrist above its shoulder (the other not), swung from side to side (at least
  `WAVE_SWINGS` reversals of `WAVE_SWING` shoulder widths during the hold) → `hello`;
- arms crossed: both wrists below the shoulders, each past the other to the far side
  (by `CROSS_MARGIN` shoulder widths) → `stop_move`.

The first `CALIBRATION_FRAMES` frames with a person set the neutral stance, and a
dead zone around it keeps a person standing still from creeping the robot.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from posestudio.protocol.landmarks import LANDMARK_INDEX
from posestudio.protocol.robots import RobotLimits

CALIBRATION_FRAMES = 5
DEAD_ZONE = 0.1  # shoulder widths (lean, side) or radians (turn)
FULL_SCALE = 0.5  # beyond the dead zone: full speed
GESTURE_HOLD_S = 1.0
WAVE_SWING = 0.2  # shoulder widths a waving wrist travels before it turns back
WAVE_SWINGS = 2  # reversals within the hold
CROSS_MARGIN = 0.2  # shoulder widths each wrist is past the other
MIN_VISIBILITY = 0.5

_LS, _RS = LANDMARK_INDEX["left_shoulder"], LANDMARK_INDEX["right_shoulder"]
_LH, _RH = LANDMARK_INDEX["left_hip"], LANDMARK_INDEX["right_hip"]
_LW, _RW = LANDMARK_INDEX["left_wrist"], LANDMARK_INDEX["right_wrist"]
_NOSE = LANDMARK_INDEX["nose"]


@dataclass
class Hold:
    """A pose that counts once it has lasted `GESTURE_HOLD_S`, once until it is left."""

    since: float | None = None
    fired: bool = False

    def step(self, active: bool, now: float, ready: bool = True) -> bool:
        if not active:
            self.since, self.fired = None, False
            return False
        if self.since is None:
            self.since = now
        if not self.fired and ready and now - self.since >= GESTURE_HOLD_S - 1e-6:
            self.fired = True
            return True
        return False


@dataclass
class Wave:
    """The raised wrist's side-to-side swings (in shoulder widths along the shoulders)."""

    hand: int | None = None
    extreme: float = 0.0
    direction: int = 0
    swings: int = 0

    def reset(self, hand: int | None = None, at: float = 0.0) -> None:
        self.hand, self.extreme, self.direction, self.swings = hand, at, 0, 0

    def step(self, hand: int, at: float) -> None:
        if hand != self.hand:
            self.reset(hand, at)
            return
        moved = at - self.extreme
        if self.direction == 0:
            if abs(moved) >= WAVE_SWING:
                self.direction, self.extreme = (1 if moved > 0 else -1), at
        elif moved * self.direction > 0:
            self.extreme = at  # still going the same way: a further extreme
        elif abs(moved) >= WAVE_SWING:
            self.direction, self.extreme = -self.direction, at
            self.swings += 1


def _visible(world: np.ndarray, *points: int) -> bool:
    return bool(min(world[p, 3] for p in points) >= MIN_VISIBILITY)


@dataclass(frozen=True)
class Stance:
    lean: float
    side: float
    turn: float


def stance(world: np.ndarray) -> Stance | None:
    """The torso's lean, side lean and turn, or None when the torso is not seen."""
    if world.shape[0] <= max(_LH, _RH) or world[[_LS, _RS], 3].min() < MIN_VISIBILITY:
        return None
    shoulders = (world[_LS, :3] + world[_RS, :3]) / 2
    hips = (world[_LH, :3] + world[_RH, :3]) / 2
    across = world[_LS, :3] - world[_RS, :3]
    width = float(np.linalg.norm(across))
    if width < 1e-3:
        return None
    return Stance(
        lean=float(hips[2] - shoulders[2]) / width,
        side=float(shoulders[0] - hips[0]) / width,
        turn=math.atan2(float(across[2]), float(across[0])),
    )


def _scaled(delta: float, limit: float) -> float:
    magnitude = abs(delta) - DEAD_ZONE
    if magnitude <= 0:
        return 0.0
    return math.copysign(min(1.0, magnitude / FULL_SCALE) * limit, delta)


@dataclass
class PoseDriver:
    """One person driving one robot; `update` per pose, `velocity` the command."""

    limits: RobotLimits
    samples: list[Stance] = field(default_factory=list)
    neutral: Stance | None = None
    arms_up: Hold = field(default_factory=Hold)
    waving: Hold = field(default_factory=Hold)
    crossed: Hold = field(default_factory=Hold)
    wave: Wave = field(default_factory=Wave)

    def update(self, world: np.ndarray | None, now: float) -> tuple[float, float, float] | None:
        """(x, y, z) for this pose; (0, 0, 0) when nobody is seen; None while calibrating."""
        seen = stance(world) if world is not None else None
        if seen is None:
            return (0.0, 0.0, 0.0) if self.neutral is not None else None
        if self.neutral is None:
            self.samples.append(seen)
            if len(self.samples) < CALIBRATION_FRAMES:
                return None
            n = len(self.samples)
            self.neutral = Stance(
                lean=sum(s.lean for s in self.samples) / n,
                side=sum(s.side for s in self.samples) / n,
                turn=sum(s.turn for s in self.samples) / n,
            )
            return (0.0, 0.0, 0.0)
        base = self.neutral
        return (
            _scaled(seen.lean - base.lean, self.limits.max_vx),
            _scaled(seen.side - base.side, self.limits.max_vy),
            _scaled(seen.turn - base.turn, self.limits.max_yaw),
        )

    def gesture(self, world: np.ndarray | None, now: float) -> str | None:
        """The action of a gesture that has just been held for `GESTURE_HOLD_S`, or None."""
        if world is None or world.shape[0] <= max(_RW, _RH) or not _visible(world, _LS, _RS):
            self.arms_up.step(False, now)
            self.waving.step(False, now)
            self.crossed.step(False, now)
            self.wave.reset()
            return None
        across = world[_LS, :3] - world[_RS, :3]
        width = float(np.linalg.norm(across))
        if width < 1e-3:
            return self.gesture(None, now)
        unit = across / width
        centre = (world[_LS, :3] + world[_RS, :3]) / 2
        seen = {w: _visible(world, w) for w in (_LW, _RW)}
        # y is down: above means a smaller y.
        raised = {w: seen[w] and world[w, 1] < world[_LS if w == _LW else _RS, 1] for w in seen}
        up = (
            seen[_LW]
            and seen[_RW]
            and _visible(world, _NOSE)
            and max(world[_LW, 1], world[_RW, 1]) < world[_NOSE, 1]
        )
        one = [w for w in raised if raised[w]]
        hand = one[0] if len(one) == 1 and not up else None
        if hand is None:
            self.wave.reset()
        else:
            self.wave.step(hand, float((world[hand, :3] - centre) @ unit) / width)
        swap = float((world[_LW, :3] - world[_RW, :3]) @ unit) / width
        crossed = (
            seen[_LW]
            and seen[_RW]
            and not raised[_LW]
            and not raised[_RW]
            and swap <= -CROSS_MARGIN
        )
        fired = [
            self.arms_up.step(bool(up), now) and "stand_up",
            self.waving.step(hand is not None, now, self.wave.swings >= WAVE_SWINGS) and "hello",
            self.crossed.step(bool(crossed), now) and "stop_move",
        ]
        return next((name for name in fired if name), None)
