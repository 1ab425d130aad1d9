"""Velocity and acceleration limits per robot model: safe defaults and hard ceilings."""

from __future__ import annotations

from dataclasses import dataclass, fields

from posestudio_robot.models import LimitsIn, Model


@dataclass(frozen=True)
class Limits:
    max_vx: float  # m/s, forward and back
    max_vy: float  # m/s, sideways
    max_yaw: float  # rad/s
    max_accel: float  # m/s² on x and y
    max_yaw_accel: float  # rad/s²


# What a robot gets when its registry entry names no limit.
DEFAULTS: dict[Model, Limits] = {
    "go2": Limits(max_vx=1.0, max_vy=0.6, max_yaw=1.5, max_accel=2.0, max_yaw_accel=4.0),
    "g1": Limits(max_vx=0.6, max_vy=0.3, max_yaw=1.0, max_accel=1.0, max_yaw_accel=2.0),
}

# No registry entry goes above these: about the models' own top speeds.
CEILINGS: dict[Model, Limits] = {
    "go2": Limits(max_vx=2.5, max_vy=1.0, max_yaw=3.0, max_accel=5.0, max_yaw_accel=8.0),
    "g1": Limits(max_vx=1.5, max_vy=0.6, max_yaw=1.5, max_accel=2.0, max_yaw_accel=4.0),
}


def limits_for(model: Model, given: LimitsIn) -> Limits:
    """The model's defaults, overridden by what the registry gives, capped at the ceilings."""
    default, ceiling = DEFAULTS[model], CEILINGS[model]
    values = {}
    for field in fields(Limits):
        value = getattr(given, field.name)
        if value is None:
            value = getattr(default, field.name)
        values[field.name] = min(value, getattr(ceiling, field.name))
    return Limits(**values)
