"""The robot's state topics, folded into one `Telemetry` (docs/robots.md, "Telemetry")."""

from __future__ import annotations

from typing import Any

from posestudio_robot.commands import BMS_STATE, LOW_STATE, SPORT_STATE
from posestudio_robot.models import Battery, BodyPose, Imu, Model, Telemetry, Velocity


def _num(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def _vec(value: Any, n: int) -> list[float] | None:
    if (
        isinstance(value, list)
        and len(value) >= n
        and all(isinstance(v, int | float) for v in value)
    ):
        return [float(v) for v in value[:n]]
    return None


class TelemetryState:
    """The latest of each topic for one robot."""

    def __init__(self, robot_id: str, model: Model) -> None:
        self.robot_id = robot_id
        self.model = model
        self.battery = Battery()
        self.imu = Imu()
        self.mode: int | None = None
        self.gait: int | None = None
        self.body_height: float | None = None
        self.velocity = Velocity()
        self.motor_temps: list[int] = []
        self.pose: BodyPose | None = None

    def update(self, topic: str, data: Any) -> None:
        if not isinstance(data, dict):
            return
        if topic == SPORT_STATE:
            self._sport(data)
        elif topic == LOW_STATE:
            self._low(data)
        elif topic == BMS_STATE:
            self._bms(data)

    def _sport(self, data: dict[str, Any]) -> None:
        mode = data.get("fsm_id", data.get("mode"))
        self.mode = int(mode) if isinstance(mode, int | float) else self.mode
        gait = data.get("gait_type")
        self.gait = int(gait) if isinstance(gait, int | float) else self.gait
        self.body_height = _num(data.get("body_height"))
        if (v := _vec(data.get("velocity"), 2)) is not None:
            self.velocity = Velocity(x=v[0], y=v[1], z=_num(data.get("yaw_speed")) or 0.0)
        if (rpy := _vec(data.get("imu_state", {}).get("rpy"), 3)) is not None:
            self.imu = Imu(roll=rpy[0], pitch=rpy[1], yaw=rpy[2])
        if (p := _vec(data.get("position"), 2)) is not None:
            self.pose = BodyPose(x=p[0], y=p[1], yaw=self.imu.yaw)

    def _low(self, data: dict[str, Any]) -> None:
        motors = data.get("motor_state")
        if isinstance(motors, list):
            self.motor_temps = [
                int(m["temperature"])
                for m in motors
                if isinstance(m, dict) and isinstance(m.get("temperature"), int | float)
            ]
        bms = data.get("bms_state")
        if self.model == "go2" and isinstance(bms, dict):
            current = _num(bms.get("current"))
            self.battery = Battery(
                soc=_num(bms.get("soc")),
                voltage=_num(data.get("power_v")),
                current=None if current is None else current / 1000,  # mA on the Go2
            )

    def _bms(self, data: dict[str, Any]) -> None:
        self.battery = Battery(
            soc=_num(data.get("soc")),
            voltage=_num(data.get("voltage")),
            current=_num(data.get("current")),
        )

    def snapshot(self, ts: float) -> Telemetry:
        return Telemetry(
            robot_id=self.robot_id,
            ts=ts,
            battery=self.battery,
            imu=self.imu,
            mode=self.mode,
            gait=self.gait,
            body_height=self.body_height,
            velocity=self.velocity,
            motor_temps=self.motor_temps,
            pose=self.pose,
        )
