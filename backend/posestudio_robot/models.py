"""The messages between the robot service and the backend (docs/robots.md), validated."""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

Model = Literal["go2", "g1"]
Method = Literal["local_sta", "local_ap", "remote"]
Status = Literal["online", "offline", "degraded", "estopped"]


class _Message(BaseModel):
    # The backend may add fields later; the service ignores what it does not know.
    model_config = ConfigDict(extra="ignore")


class LimitsIn(_Message):
    """A robot's limits as the registry gives them; missing ones take the model's defaults."""

    max_vx: float | None = Field(None, ge=0)
    max_vy: float | None = Field(None, ge=0)
    max_yaw: float | None = Field(None, ge=0)
    max_accel: float | None = Field(None, gt=0)
    max_yaw_accel: float | None = Field(None, gt=0)


class RobotConfig(_Message):
    id: str = Field(min_length=1, max_length=64)
    name: str = Field("", max_length=200)
    model: Model
    method: Method = "local_sta"
    address: str | None = None
    serial: str | None = None
    # 32 hex characters on the robots that ask for one; the driver reports a wrong one.
    aes_key: str | None = Field(None, max_length=128)
    limits: LimitsIn = Field(default_factory=LimitsIn)


class RobotList(_Message):
    # Each robot validates on its own (fleet.parse_robots): one bad entry spoils no other.
    robots: list[dict[str, Any]]


def _finite(value: float) -> float:
    # A NaN or infinite velocity is a broken controller, never a speed: it counts as 0.
    return value if math.isfinite(value) else 0.0


class Move(_Message):
    kind: Literal["move"]
    x: float = 0.0
    y: float = 0.0
    z: float = 0.0

    @field_validator("x", "y", "z")
    @classmethod
    def finite(cls, value: float) -> float:
        return _finite(value)


class Action(_Message):
    kind: Literal["action"]
    name: str = Field(min_length=1, max_length=64)


class Stop(_Message):
    kind: Literal["stop"]


class Estop(_Message):
    kind: Literal["estop"]


class ClearEstop(_Message):
    kind: Literal["clear_estop"]


Command = Annotated[Move | Action | Stop | Estop | ClearEstop, Field(discriminator="kind")]


class RobotCommand(_Message):
    robot_id: str
    seq: int
    issued_at: float
    deadline_ms: int = Field(ge=0, le=60_000)
    controller: str = ""
    command: Command


class Velocity(BaseModel):
    x: float = 0.0
    y: float = 0.0
    z: float = 0.0


class ErrorBody(BaseModel):
    code: str
    message: str


class RobotResult(BaseModel):
    robot_id: str
    seq: int
    ok: bool
    clamped: Velocity | None = None
    error: ErrorBody | None = None

    @classmethod
    def refused(cls, robot_id: str, seq: int, code: str, message: str) -> RobotResult:
        return cls(
            robot_id=robot_id, seq=seq, ok=False, error=ErrorBody(code=code, message=message)
        )


class Battery(BaseModel):
    soc: float | None = None
    voltage: float | None = None
    current: float | None = None


class Imu(BaseModel):
    roll: float = 0.0
    pitch: float = 0.0
    yaw: float = 0.0


class BodyPose(BaseModel):
    x: float
    y: float
    yaw: float


class Telemetry(BaseModel):
    robot_id: str
    ts: float
    battery: Battery = Field(default_factory=Battery)
    imu: Imu = Field(default_factory=Imu)
    mode: int | None = None
    gait: int | None = None
    body_height: float | None = None
    velocity: Velocity = Field(default_factory=Velocity)
    motor_temps: list[int] = Field(default_factory=list)
    pose: BodyPose | None = None
