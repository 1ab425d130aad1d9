"""Commands per model on the robot's wire, and the robot's state topics folded into telemetry."""

from __future__ import annotations

import json

import pytest

from posestudio_core.errors import RobotRefused
from posestudio_robot import commands
from posestudio_robot.telemetry import TelemetryState

# The actions the studio offers (robot-backend's protocol/robots.py ACTIONS).
STUDIO_ACTIONS = {
    "go2": ("stand_up", "stand_down", "balance_stand", "stop_move", "hello", "sit"),
    "g1": ("stand_up", "stand_down", "stop_move", "hello", "wave", "shake_hand", "high_five"),
}


@pytest.mark.parametrize("model", ["go2", "g1"])
def test_every_studio_action_maps_to_a_request(model: str) -> None:
    for name in STUDIO_ACTIONS[model]:
        topic, api_id, _parameter = commands.action(model, name)  # type: ignore[arg-type]
        assert topic in (commands.SPORT, commands.ARM) and api_id > 1000


def test_unknown_actions_and_damping_by_name_are_refused() -> None:
    for model, name in (("go2", "backflip"), ("go2", "damp"), ("g1", "damp"), ("go2", "wave")):
        with pytest.raises(RobotRefused):
            commands.action(model, name)  # type: ignore[arg-type]


def test_moves_stops_and_damps_per_model() -> None:
    assert commands.move("go2", 0.5, 0.0, 0.1) == (
        commands.SPORT,
        1008,
        {"x": 0.5, "y": 0.0, "z": 0.1},
    )
    topic, api_id, parameter = commands.move("g1", 0.3, 0.1, 0.2)
    assert topic == commands.SPORT
    assert api_id == commands.SET_VELOCITY and parameter["velocity"] == [0.3, 0.1, 0.2]
    assert commands.stop_move("go2")[1] == 1003
    assert commands.stop_move("g1")[2]["velocity"] == [0.0, 0.0, 0.0]
    assert commands.damp("go2")[1] == 1001
    assert commands.damp("g1") == (commands.SPORT, commands.SET_FSM_ID, {"data": 1})
    json.dumps(commands.action("g1", "hello"))  # every parameter travels as JSON


def test_go2_telemetry_from_sport_and_low_state() -> None:
    state = TelemetryState("r", "go2")
    state.update(
        commands.SPORT_STATE,
        {
            "mode": 3,
            "gait_type": 1,
            "body_height": 0.31,
            "position": [1.0, 2.0, 0.31],
            "velocity": [0.4, 0.0, 0.0],
            "yaw_speed": 0.2,
            "imu_state": {"rpy": [0.01, -0.02, 1.5]},
        },
    )
    state.update(
        commands.LOW_STATE,
        {
            "motor_state": [{"temperature": 40}, {"temperature": 41}, "junk"],
            "bms_state": {"soc": 77, "current": -2500},
            "power_v": 28.1,
        },
    )
    data = state.snapshot(ts=10.0)
    assert (data.mode, data.gait, data.body_height) == (3, 1, 0.31)
    assert (data.velocity.x, data.velocity.z) == (0.4, 0.2)
    assert data.pose is not None and (data.pose.x, data.pose.y, data.pose.yaw) == (1.0, 2.0, 1.5)
    assert data.motor_temps == [40, 41]
    assert (data.battery.soc, data.battery.voltage, data.battery.current) == (77, 28.1, -2.5)


def test_g1_battery_comes_from_its_own_topic_and_junk_is_ignored() -> None:
    state = TelemetryState("h", "g1")
    state.update(commands.BMS_STATE, {"soc": 64, "voltage": 52.3, "current": -3.0})
    state.update(commands.LOW_STATE, {"bms_state": {"soc": 1}})  # not the G1's battery
    state.update(commands.SPORT_STATE, {"fsm_id": 200, "velocity": "fast", "position": [1]})
    state.update(commands.SPORT_STATE, "not a dict")
    data = state.snapshot(ts=1.0)
    assert data.battery.soc == 64 and data.mode == 200 and data.pose is None
