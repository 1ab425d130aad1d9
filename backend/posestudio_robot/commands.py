"""What each command is on the wire, per model: (topic, api_id, parameter).

The ids are `unitree_webrtc_connect`'s `SPORT_CMD`, `LOCO_API` and `ARM_ACTION`, written out
here so the envelope and its tests never import the package.
"""

from __future__ import annotations

from typing import Any

from posestudio_core.errors import RobotRefused
from posestudio_robot.models import Model

SPORT = "rt/api/sport/request"
ARM = "rt/api/arm/request"
SPORT_STATE = "rt/lf/sportmodestate"
LOW_STATE = "rt/lf/lowstate"
BMS_STATE = "rt/lf/bmsstate"
STATE_TOPICS = {"go2": (SPORT_STATE, LOW_STATE), "g1": (SPORT_STATE, LOW_STATE, BMS_STATE)}

# A request: the topic, the api id and its parameter (a dict, or "" for none).
Request = tuple[str, int, Any]

GO2 = {
    "damp": 1001,
    "balance_stand": 1002,
    "stop_move": 1003,
    "stand_up": 1004,
    "stand_down": 1005,
    "recovery_stand": 1006,
    "move": 1008,
    "sit": 1009,
    "rise_sit": 1010,
    "hello": 1016,
    "stretch": 1017,
}
SET_FSM_ID, SET_VELOCITY, SET_ARM_TASK = 7101, 7105, 7106
G1_FSM = {
    "damp": 1,
    "sit": 3,
    "stand_down": 3,
    "stand_up": 4,
    "balance_stand": 200,
    "recovery_stand": 702,
}
ARM_ACTION = {
    "Release": 99,
    "LeftKiss": 12,
    "HandsUp": 15,
    "Clap": 17,
    "HighFive": 18,
    "Hug": 19,
    "ArmHeart": 20,
    "RightHeart": 21,
    "Reject": 22,
    "RightHandUp": 23,
    "XRay": 24,
    "FaceWave": 25,
    "HighWave": 26,
    "Handshake": 27,
    "ForwardPush": 36,
}
# The G1's named gestures (the studio's names), each an arm task.
G1_GESTURES = {
    "hello": "HighWave",
    "wave": "FaceWave",
    "shake_hand": "Handshake",
    "high_five": "HighFive",
}
ACTIONS: dict[Model, frozenset[str]] = {
    "go2": frozenset(GO2) - {"damp", "move"},
    "g1": frozenset({*G1_FSM, *G1_GESTURES, "stop_move"} - {"damp"})
    | {f"arm_{name}" for name in ARM_ACTION},
}
# A G1 velocity holds this long on the robot; the envelope resends it every tick.
G1_VELOCITY_HOLD_S = 1.0


def move(model: Model, x: float, y: float, z: float) -> Request:
    if model == "go2":
        return SPORT, GO2["move"], {"x": x, "y": y, "z": z}
    return SPORT, SET_VELOCITY, {"velocity": [x, y, z], "duration": G1_VELOCITY_HOLD_S}


def stop_move(model: Model) -> Request:
    if model == "go2":
        return SPORT, GO2["stop_move"], ""
    return move(model, 0.0, 0.0, 0.0)


def damp(model: Model) -> Request:
    if model == "go2":
        return SPORT, GO2["damp"], ""
    return SPORT, SET_FSM_ID, {"data": G1_FSM["damp"]}


def action(model: Model, name: str) -> Request:
    """The request for a named action; ROBOT_REFUSED when the model has no such action."""
    if name not in ACTIONS[model]:
        raise RobotRefused(f"{model} has no action {name!r}", details={"action": name})
    if name == "stop_move":
        return stop_move(model)
    if model == "go2":
        return SPORT, GO2[name], ""
    if name in G1_GESTURES:
        return ARM, SET_ARM_TASK, {"data": ARM_ACTION[G1_GESTURES[name]]}
    if name.startswith("arm_"):
        return ARM, SET_ARM_TASK, {"data": ARM_ACTION[name.removeprefix("arm_")]}
    return SPORT, SET_FSM_ID, {"data": G1_FSM[name]}
