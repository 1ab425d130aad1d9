"""The simulated robot's body: integrates velocity commands into a pose, answers requests.

Pure state: every method takes `now` (monotonic seconds). The ids are the robots' own
(Go2 `SPORT_CMD`, G1 `LOCO_API` / FSM ids); the simulator never imports the client package.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any, Literal

Model = Literal["go2", "g1"]

# Go2 sport api ids.
DAMP, BALANCE_STAND, STOP_MOVE, STAND_UP, STAND_DOWN, RECOVERY_STAND = (
    1001, 1002, 1003, 1004, 1005, 1006,
)  # fmt: skip
MOVE, SIT, RISE_SIT, HELLO, STRETCH = 1008, 1009, 1010, 1016, 1017
# G1 loco api ids, and the FSM states the simulator knows.
SET_FSM_ID, SET_VELOCITY, SET_ARM_TASK = 7101, 7105, 7106
FSM_DAMP, FSM_SIT, FSM_STAND, FSM_WALK, FSM_LIE_TO_STAND = 1, 3, 4, 200, 702

# Go2 sportmodestate modes.
MODE_IDLE, MODE_BALANCE, MODE_LOCOMOTION, MODE_LIE, MODE_LOCK, MODE_DAMP, MODE_SIT = (
    0, 1, 3, 5, 6, 7, 9,
)  # fmt: skip

OK, REFUSED, UNKNOWN_API = 0, 3104, 3103
# The robot's own move timeout: longer than the service's deadman, so the tests can tell
# which one stopped it.
MOVE_HOLD_S = 2.0
STAND_HEIGHT = {"go2": 0.32, "g1": 0.75}


@dataclass
class Body:
    model: Model
    x: float = 0.0
    y: float = 0.0
    yaw: float = 0.0
    vx: float = 0.0
    vy: float = 0.0
    vyaw: float = 0.0
    mode: int = MODE_BALANCE
    fsm: int = FSM_WALK
    soc: float = 90.0
    move_until: float = 0.0
    last: float | None = None
    actions: list[str] = field(default_factory=list)

    @property
    def damped(self) -> bool:
        return self.mode == MODE_DAMP if self.model == "go2" else self.fsm == FSM_DAMP

    def _can_move(self) -> bool:
        if self.model == "go2":
            return self.mode in (MODE_IDLE, MODE_BALANCE, MODE_LOCOMOTION, MODE_LOCK)
        return self.fsm in (FSM_WALK, FSM_STAND)

    def _halt(self) -> None:
        self.vx = self.vy = self.vyaw = 0.0
        self.move_until = 0.0

    def advance(self, now: float) -> None:
        """Integrate the velocity (body frame) into the pose up to `now`."""
        if self.last is not None:
            dt = max(0.0, now - self.last)
            if self.move_until and now >= self.move_until:
                dt = max(0.0, self.move_until - self.last)
            c, s = math.cos(self.yaw), math.sin(self.yaw)
            self.x += (self.vx * c - self.vy * s) * dt
            self.y += (self.vx * s + self.vy * c) * dt
            self.yaw = math.remainder(self.yaw + self.vyaw * dt, math.tau)
            self.soc = max(0.0, self.soc - 0.002 * dt)
            if self.move_until and now >= self.move_until:
                self._halt()
                if self.mode == MODE_LOCOMOTION:
                    self.mode = MODE_BALANCE
        self.last = now

    def _set_velocity(self, vx: float, vy: float, vyaw: float, until: float) -> int:
        if not self._can_move():
            return REFUSED
        self.vx, self.vy, self.vyaw = vx, vy, vyaw
        moving = any((vx, vy, vyaw))
        self.move_until = until if moving else 0.0
        if self.model == "go2" and moving:
            self.mode = MODE_LOCOMOTION
        return OK

    def request(self, topic: str, api_id: int, parameter: str, now: float) -> int:
        """One request from the client: its answer's status code (0 is success)."""
        self.advance(now)
        try:
            param: Any = json.loads(parameter) if parameter else {}
        except ValueError:
            param = {}
        if self.model == "go2":
            return self._go2(api_id, param, now)
        return self._g1(api_id, param, now)

    def _go2(self, api_id: int, param: Any, now: float) -> int:
        if api_id == MOVE:
            return self._set_velocity(
                float(param.get("x", 0)),
                float(param.get("y", 0)),
                float(param.get("z", 0)),
                now + MOVE_HOLD_S,
            )
        transitions = {
            DAMP: MODE_DAMP,
            STAND_UP: MODE_LOCK,
            STAND_DOWN: MODE_LIE,
            BALANCE_STAND: MODE_BALANCE,
            RECOVERY_STAND: MODE_BALANCE,
            SIT: MODE_SIT,
            RISE_SIT: MODE_BALANCE,
        }
        if api_id == STOP_MOVE:
            self._halt()
            if self.mode == MODE_LOCOMOTION:
                self.mode = MODE_BALANCE
            return OK
        if api_id in (HELLO, STRETCH):
            if self.damped:
                return REFUSED
            self.actions.append(str(api_id))
            return OK
        if api_id not in transitions:
            return UNKNOWN_API
        target = transitions[api_id]
        # From damping only standing up (or damping again) is possible.
        if self.damped and target not in (MODE_DAMP, MODE_LOCK, MODE_BALANCE):
            return REFUSED
        self._halt()
        self.mode = target
        return OK

    def _g1(self, api_id: int, param: Any, now: float) -> int:
        if api_id == SET_VELOCITY:
            velocity = param.get("velocity", [0, 0, 0])
            duration = min(float(param.get("duration", 1.0)), MOVE_HOLD_S)
            vx, vy, vyaw = (float(v) for v in velocity[:3])
            return self._set_velocity(vx, vy, vyaw, now + duration)
        if api_id == SET_FSM_ID:
            fsm = int(param.get("data", -1))
            if fsm not in (FSM_DAMP, FSM_SIT, FSM_STAND, FSM_WALK, FSM_LIE_TO_STAND):
                return 1003
            if self.damped and fsm not in (FSM_DAMP, FSM_STAND, FSM_LIE_TO_STAND):
                return 1001
            self._halt()
            self.fsm = FSM_STAND if fsm == FSM_LIE_TO_STAND else fsm
            return OK
        if api_id == SET_ARM_TASK:
            if self.damped:
                return REFUSED
            self.actions.append(f"arm:{param.get('data')}")
            return OK
        return UNKNOWN_API

    # Telemetry, shaped like the robots' topics.
    def sport_state(self) -> dict[str, Any]:
        height = 0.0 if self.damped else STAND_HEIGHT[self.model]
        c, s = math.cos(self.yaw), math.sin(self.yaw)
        state: dict[str, Any] = {
            "mode": self.mode if self.model == "go2" else self.fsm,
            "gait_type": 1 if self.vx or self.vy or self.vyaw else 0,
            "body_height": height,
            "position": [self.x, self.y, height],
            "velocity": [self.vx * c - self.vy * s, self.vx * s + self.vy * c, 0.0],
            "yaw_speed": self.vyaw,
            "imu_state": {"rpy": [0.0, 0.0, self.yaw]},
        }
        if self.model == "g1":
            state["fsm_id"] = self.fsm
        return state

    def low_state(self) -> dict[str, Any]:
        motors = 12 if self.model == "go2" else 29
        return {
            "imu_state": {"rpy": [0.0, 0.0, self.yaw]},
            "motor_state": [{"q": 0.0, "temperature": 38} for _ in range(motors)],
            "bms_state": {"soc": round(self.soc), "current": -2100},
            "power_v": 28.8 if self.model == "go2" else 54.0,
        }

    def bms_state(self) -> dict[str, Any]:
        return {"soc": round(self.soc), "current": -2.1, "voltage": 54.0}
