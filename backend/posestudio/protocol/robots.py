"""Robots on the wire (docs/interfaces.md "Robots", docs/robots.md).

Two kinds of connection share the `/robots` namespace: the robot service (an API token
that may `robot.serve`; it says `service_hello` first) and people in the studio. The
registry and behaviours are HTTP (`/api/robots`, `/api/behaviours`). A robot's
`aes_key` is written by admins and sent only to the robot service, never to people.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import ConfigDict, Field

from posestudio.protocol.messages import ErrorBody, Message

NAMESPACE = "/robots"
"""The Socket.IO namespace the robot services and the studio's people share."""

RobotModel = Literal["go2", "g1"]
ConnectionMethod = Literal["local_sta", "local_ap", "remote"]
RobotStatus = Literal["online", "offline", "degraded", "estopped"]
ROBOT_ID_PATTERN = r"^rb_[A-Za-z0-9_-]{1,32}$"
ACTION_PATTERN = r"^[A-Za-z][A-Za-z0-9_]{0,47}$"

# The named actions the studio offers per model; the robot service maps each to the
# robot's API (Go2 SPORT_CMD, G1 LOCO_API / SET_ARM_TASK) and refuses one it lacks.
ACTIONS: dict[str, tuple[str, ...]] = {
    "go2": (
        "stand_up",
        "stand_down",
        "balance_stand",
        "recovery_stand",
        "stop_move",
        "hello",
        "sit",
        "rise_sit",
        "stretch",
    ),
    "g1": (
        "stand_up",
        "stand_down",
        "balance_stand",
        "recovery_stand",
        "stop_move",
        "hello",
        "wave",
        "shake_hand",
        "high_five",
        "sit",
    ),
}
# The G1 also takes any of its arm tasks as `arm_<name>` (docs/robots.md, "Actions").
ARM_TASK_PREFIX = "arm_"


class RobotLimits(Message):
    """The safety envelope's numbers (the robot service enforces them next to the robot)."""

    max_vx: float = Field(0.6, gt=0, le=3.0, description="forward speed, m/s")
    max_vy: float = Field(0.4, gt=0, le=2.0, description="lateral speed, m/s")
    max_yaw: float = Field(1.0, gt=0, le=4.0, description="yaw rate, rad/s")
    max_accel: float = Field(1.5, gt=0, le=10.0, description="m/s² ramp")
    max_yaw_accel: float = Field(3.0, gt=0, le=20.0, description="rad/s² ramp")


_Name = Annotated[str, Field(min_length=1, max_length=64)]
_Address = Annotated[str, Field(min_length=1, max_length=255)]
_Serial = Annotated[str, Field(min_length=1, max_length=64)]
_Key = Annotated[str, Field(min_length=1, max_length=128)]


class RobotCreate(Message):
    """`POST /api/robots` (admins)."""

    name: _Name
    model: RobotModel
    method: ConnectionMethod
    address: _Address | None = None
    serial: _Serial | None = None
    aes_key: _Key | None = Field(None, description="write-only: never returned")
    limits: RobotLimits = Field(default_factory=RobotLimits)


class RobotUpdate(Message):
    """`PATCH /api/robots/{id}`: the fields given change (`aes_key: null` keeps the key)."""

    name: _Name | None = None
    method: ConnectionMethod | None = None
    address: _Address | None = None
    serial: _Serial | None = None
    aes_key: _Key | None = None
    clear_aes_key: bool = False
    limits: RobotLimits | None = None


class RobotConfig(Message):
    """A robot as the robot service gets it (the only place `aes_key` travels)."""

    id: str
    name: str
    model: RobotModel
    method: ConnectionMethod
    address: str | None = None
    serial: str | None = None
    aes_key: str | None = None
    limits: RobotLimits


class Vector3(Message):
    x: float
    y: float
    z: float


class Battery(Message):
    soc: float | None = None
    voltage: float | None = None
    current: float | None = None


class Imu(Message):
    roll: float
    pitch: float
    yaw: float


class BodyPose(Message):
    x: float
    y: float
    yaw: float


class RobotTelemetry(Message):
    """`robot_telemetry` (service → backend → studio, at most 10 Hz per robot)."""

    robot_id: str
    ts: float = Field(description="unix seconds")
    battery: Battery | None = None
    imu: Imu | None = None
    mode: str | int | None = None
    gait: str | int | None = None
    body_height: float | None = None
    velocity: Vector3 | None = None
    motor_temps: list[float] | None = None
    pose: BodyPose | None = None


class RobotPublic(Message):
    """A robot in the registry, for people (`GET /api/robots`): no key, only whether one is set."""

    id: str
    name: str
    model: RobotModel
    method: ConnectionMethod
    address: str | None
    serial: str | None
    has_aes_key: bool
    limits: RobotLimits
    created_at: datetime


class RobotList(Message):
    robots: list[RobotPublic]


class Robot(Message):
    """A robot's live state (`robots_list`)."""

    id: str
    name: str
    model: RobotModel
    status: RobotStatus
    controller: str | None = Field(description="the lease holder's subject")
    estopped: bool
    actions: list[str]
    limits: RobotLimits
    telemetry: RobotTelemetry | None = None


class RobotsListAck(Message):
    ok: Literal[True]
    robots: list[Robot]


# -- the robot service's side ------------------------------------------------------


class ServiceHello(Message):
    """`service_hello` (service → backend), first; acknowledged with `ServiceHelloAck`."""

    site: str = Field(min_length=1, max_length=64)
    version: str = Field(min_length=1, max_length=32)


class ServiceHelloAck(Message):
    ok: Literal[True]
    robots: list[RobotConfig]


class RobotConfigMessage(Message):
    """`robot_config` (backend → service) after every registry change."""

    robots: list[RobotConfig]


class MoveCommand(Message):
    kind: Literal["move"]
    x: float
    y: float
    z: float


class ActionCommand(Message):
    kind: Literal["action"]
    name: str = Field(pattern=ACTION_PATTERN)


class EstopCommand(Message):
    kind: Literal["estop"]


class ClearEstopCommand(Message):
    kind: Literal["clear_estop"]


class StopCommand(Message):
    kind: Literal["stop"]


Command = Annotated[
    MoveCommand | ActionCommand | EstopCommand | ClearEstopCommand | StopCommand,
    Field(discriminator="kind"),
]


class RobotCommand(Message):
    """`robot_command` (backend → service): the service discards it after its deadline."""

    robot_id: str
    seq: int = Field(ge=1)
    issued_at: float = Field(description="unix seconds")
    deadline_ms: int = Field(gt=0)
    controller: str
    command: Command


class RobotResult(Message):
    """`robot_result` (service → backend): how a command ended."""

    robot_id: str
    seq: int
    ok: bool
    clamped: Vector3 | None = None
    error: ErrorBody | None = None


class RobotStatusMessage(Message):
    """`robot_status` (service → backend → studio)."""

    robot_id: str
    status: RobotStatus
    detail: str | None = Field(None, max_length=200)


# -- people's side -----------------------------------------------------------------


class RobotRef(Message):
    """`take_control`, `release_control`, `estop`, `clear_estop`."""

    robot_id: str = Field(pattern=ROBOT_ID_PATTERN)


class DriveRequest(Message):
    """`drive` (10-20 Hz while holding the lease): velocities, clamped by the service."""

    robot_id: str = Field(pattern=ROBOT_ID_PATTERN)
    x: float = Field(ge=-10, le=10, description="forward, m/s")
    y: float = Field(ge=-10, le=10, description="left, m/s")
    z: float = Field(ge=-10, le=10, description="yaw rate, rad/s (counter-clockwise)")
    seq: int | None = Field(None, ge=0, description="the page's own counter: older is stale")


class ActionRequest(Message):
    """`robot_action`: one named action (stand_up, sit, hello …)."""

    robot_id: str = Field(pattern=ROBOT_ID_PATTERN)
    name: str = Field(pattern=ACTION_PATTERN)


class PoseControlRequest(Message):
    """`pose_control`: drive from a live stream's pose (the stream's server-wide id)."""

    robot_id: str = Field(pattern=ROBOT_ID_PATTERN)
    stream_id: str = Field(min_length=1, max_length=64)
    on: bool


class RunBehaviourRequest(Message):
    """`run_behaviour` (needs the lease): replay a behaviour's steps on the robot."""

    robot_id: str = Field(pattern=ROBOT_ID_PATTERN)
    behaviour_id: str = Field(min_length=1, max_length=32)


class Lease(Message):
    """`lease` (server → studio) and the acknowledgement of `take_control`."""

    robot_id: str
    holder: str | None = Field(description="the subject holding control; null when free")


class CommandAck(Message):
    """The acknowledgement of `drive`, `robot_action`, `estop`, `clear_estop`."""

    ok: Literal[True]
    robot_id: str
    seq: int | None = None
    delivered: bool = Field(True, description="estop: whether a robot service took it now")


# -- behaviours ----------------------------------------------------------------------


class BehaviourStep(Message):
    """One timed command: `t` seconds after the behaviour starts."""

    t: float = Field(ge=0, le=600)
    command: MoveCommand | ActionCommand | StopCommand = Field(discriminator="kind")


class BehaviourCreate(Message):
    """`POST /api/behaviours`: a named sequence recorded once in the studio."""

    name: _Name
    description: str = Field("", max_length=2000)
    licence: str = Field("CC-BY-4.0", max_length=64)
    models: list[RobotModel] = Field(min_length=1)
    steps: list[BehaviourStep] = Field(min_length=1, max_length=5000)


class BehaviourFromSession(Message):
    """`POST /api/behaviours/from-session`: a recorded span of one stream, turned into timed
    commands by the "your pose" mapping (lean, side lean, turn, gestures) at its frames' times."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    session_id: str = Field(min_length=1, max_length=16)
    stream: str = Field(min_length=1, max_length=32, description="the stream's key (st_…)")
    from_: float = Field(alias="from", ge=0, description="session seconds")
    to: float = Field(ge=0, description="session seconds, after `from`, at most 600 s later")
    mapping: Literal["pose"] = Field("pose", description="the pose control mode's mapping")
    limits: RobotLimits = Field(
        default_factory=RobotLimits, description="full speed of the mapping (the robot's limits)"
    )
    name: _Name
    description: str = Field("", max_length=2000)
    licence: str = Field("CC-BY-4.0", max_length=64)
    models: list[RobotModel] = Field(min_length=1)


class Behaviour(BehaviourCreate):
    id: str
    version: int
    author: str
    created_at: datetime


class BehaviourList(Message):
    behaviours: list[Behaviour]
