"""Pose control: a person's real pose, streamed on `/pose`, drives the robot; and the
mapping of that real pose, leaned, side-leaned and turned, to velocities."""

from __future__ import annotations

import math

import numpy as np

from posestudio.client import PoseClient
from posestudio.protocol.robots import RobotLimits
from posestudio.robots.posecontrol import CALIBRATION_FRAMES, PoseDriver
from tests.utils.frames import send_and_wait, video_jpegs
from tests.utils.robots import OPERATOR, RobotsBackend, peer, service

FRAMES = 12
UPPER = slice(0, 23)  # the head, arms and hands: what leans over the hips
LIMITS = RobotLimits(max_vx=0.6, max_vy=0.4, max_yaw=1.0)


def rotated(world: np.ndarray, axis: str, degrees: float, part: slice = UPPER) -> np.ndarray:
    """The pose with `part` turned about the hips (the world origin)."""
    a = math.radians(degrees)
    c, s = math.cos(a), math.sin(a)
    matrix = {
        "x": np.array([[1, 0, 0], [0, c, -s], [0, s, c]]),
        "y": np.array([[c, 0, s], [0, 1, 0], [-s, 0, c]]),
        "z": np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]]),
    }[axis]
    out = world.copy()
    out[part, :3] = world[part, :3] @ matrix.T
    return out


def calibrated(worlds: list[np.ndarray]) -> PoseDriver:
    driver = PoseDriver(LIMITS)
    for i, world in enumerate(worlds[:CALIBRATION_FRAMES]):
        assert driver.update(world, float(i)) == (None if i < CALIBRATION_FRAMES - 1 else (0, 0, 0))
    return driver


async def test_a_streamed_pose_drives_the_robot_and_maps_to_velocities(
    robots: RobotsBackend,
) -> None:
    rex = robots.add_robot()["id"]
    async with (
        service(robots.url) as svc,
        peer(robots.url, OPERATOR) as olga,
        PoseClient(robots.url, OPERATOR) as camera,
    ):
        await svc.hello()
        await svc.online(rex)
        stream = (await camera.start("cam"))["id"]
        frames = video_jpegs(320, 240)[:FRAMES]
        await send_and_wait(camera, "cam", frames[0])  # the engine warm before control
        on = {"robot_id": rex, "stream_id": stream, "on": True}
        assert (await olga.call("pose_control", on))["error"]["code"] == "CONFLICT"
        assert (await olga.call("take_control", {"robot_id": rex}))["ok"]
        unknown = await olga.call("pose_control", {**on, "stream_id": "nope"})
        assert unknown["error"]["code"] == "UNKNOWN_STREAM"
        assert (await olga.call("pose_control", on))["on"] is True
        worlds = []
        for jpeg in frames:
            pose = await send_and_wait(camera, "cam", jpeg)
            worlds.append(np.array(pose.data["persons"][0]["world"]))
        move = await svc.seen("move")
        assert move["controller"] == "user:olga"
        body = move["command"]
        # The person sits still and talks: the dead zone keeps the robot where it is.
        assert abs(body["x"]) < 0.2 and abs(body["y"]) < 0.2 and abs(body["z"]) < 0.3
        assert (await olga.call("pose_control", {**on, "on": False}))["on"] is False
        stop = await svc.seen("move")
        assert stop["command"] == {"kind": "move", "x": 0, "y": 0, "z": 0}

    real = worlds[-1]
    driver = calibrated(worlds)
    x, y, z = driver.update(real, 10.0) or (9, 9, 9)
    assert max(abs(x), abs(y), abs(z)) < 0.2
    forward = driver.update(rotated(real, "x", 20), 11.0)
    back = driver.update(rotated(real, "x", -20), 12.0)
    assert forward is not None and back is not None
    assert forward[0] > 0.3 and back[0] < -0.3 and abs(forward[2]) < 0.3
    left = driver.update(rotated(real, "z", 20), 13.0)
    assert left is not None and left[1] > 0.2
    right_turn = driver.update(rotated(real, "y", 25, slice(0, 33)), 14.0)
    assert right_turn is not None and right_turn[2] < -0.3
    assert driver.update(None, 15.0) == (0.0, 0.0, 0.0)  # nobody seen: stand still
    rng = np.random.default_rng(3)
    for i in range(200):
        pose = rotated(rotated(real, "x", rng.uniform(-80, 80)), "y", rng.uniform(-90, 90))
        vx, vy, vz = driver.update(pose, 20.0 + i) or (0, 0, 0)
        assert abs(vx) <= LIMITS.max_vx and abs(vy) <= LIMITS.max_vy and abs(vz) <= LIMITS.max_yaw


def test_both_arms_up_held_stands_the_robot_up_once() -> None:
    driver = PoseDriver(LIMITS)
    world = standing()  # the nose at y -0.6; y is down
    world[[15, 16], 1] = -0.8  # both wrists above it
    assert driver.gesture(world, 0.0) is None
    assert driver.gesture(world, 0.5) is None
    assert driver.gesture(world, 1.0) == "stand_up"
    assert driver.gesture(world, 2.0) is None  # once per raise
    world[[15, 16], 1] = 0.1
    assert driver.gesture(world, 2.5) is None


def standing() -> np.ndarray:
    """A person facing the camera, arms hanging (metres, hips at the origin, y down)."""
    world = np.zeros((33, 5))
    world[:, 3] = 1.0
    world[0, :2] = (0.0, -0.6)  # the nose
    world[[11, 12], 0], world[[11, 12], 1] = (0.18, -0.18), -0.45  # shoulders, 0.36 apart
    world[[23, 24], 0] = (0.1, -0.1)  # hips
    world[[15, 16], 0], world[[15, 16], 1] = (0.22, -0.22), 0.0  # wrists at the sides
    return world


def waving(t: float) -> np.ndarray:
    """The right wrist above its shoulder, swung 1.5 times a second, ±0.1 m."""
    world = standing()
    world[16, :2] = (-0.25 + 0.1 * math.sin(2 * math.pi * 1.5 * t), -0.65)
    return world


def crossed() -> np.ndarray:
    world = standing()
    world[[15, 16], 0], world[[15, 16], 1] = (-0.1, 0.1), -0.2  # each past the other
    return world


def gestures(driver: PoseDriver, poses: list[np.ndarray | None], start: float) -> list[tuple]:
    """(time, action) for each action fired, at 10 poses a second from `start`."""
    out = []
    for i, world in enumerate(poses):
        now = start + i / 10
        if (action := driver.gesture(world, now)) is not None:
            out.append((round(now - start, 1), action))
    return out


def test_a_wave_held_is_hello_once_per_raise_and_a_brief_or_still_hand_is_nothing() -> None:
    driver = PoseDriver(LIMITS)
    # Two seconds of waving: hello once, as soon as the hand has been up for 1 s.
    assert gestures(driver, [waving(i / 10) for i in range(20)], 0.0) == [(1.0, "hello")]
    # The hand comes down and goes up again: a new hold, a new hello.
    assert gestures(driver, [standing()] * 3, 2.0) == []
    assert gestures(driver, [waving(i / 10) for i in range(15)], 2.3) == [(1.0, "hello")]
    # A brief wave (0.8 s) does not fire, nor does a glimpse lost to a frame nobody is in.
    brief = [waving(i / 10) for i in range(8)]
    assert gestures(driver, [standing(), *brief, standing()], 5.0) == []
    assert gestures(driver, [*brief, None, *brief], 7.0) == []
    # A hand raised and held still (a question, a stretch) is no wave.
    still = waving(0.0)
    assert gestures(driver, [standing(), *[still] * 30], 10.0) == []
    # Nor is a hand swung at the side, below the shoulder.
    low = [waving(i / 10) for i in range(20)]
    for world in low:
        world[16, 1] = 0.0
    assert gestures(driver, [standing(), *low], 14.0) == []


def test_arms_crossed_held_is_stop_once_per_hold() -> None:
    driver = PoseDriver(LIMITS)
    assert gestures(driver, [crossed()] * 25, 0.0) == [(1.0, "stop_move")]
    assert gestures(driver, [standing(), *[crossed()] * 12], 3.0) == [(1.1, "stop_move")]
    # Crossed for 0.6 s, then apart: nothing; hands clasped in front are not crossed.
    assert gestures(driver, [*[crossed()] * 6, standing()] * 3, 5.0) == []
    clasped = standing()
    clasped[[15, 16], 0], clasped[[15, 16], 1] = (0.02, -0.02), -0.2
    assert gestures(driver, [clasped] * 20, 8.0) == []
    # An unseen wrist is not crossed.
    hidden = crossed()
    hidden[15, 3] = 0.1
    assert gestures(driver, [hidden] * 20, 11.0) == []


def test_each_gesture_fires_its_own_action_and_a_pose_passed_through_fires_none() -> None:
    up = standing()
    up[[15, 16], 1] = -0.8
    driver = PoseDriver(LIMITS)
    sequence = [*[up] * 12, standing(), *[waving(i / 10) for i in range(12)], *[crossed()] * 12]
    assert gestures(driver, sequence, 0.0) == [
        (1.0, "stand_up"),
        (2.3, "hello"),
        (3.5, "stop_move"),
    ]
    # Arms raised, waved past the head, crossed on the way down, each for under a second.
    passing = [*[up] * 5, *[waving(i / 10) for i in range(5)], *[crossed()] * 5, standing()]
    assert gestures(PoseDriver(LIMITS), passing * 4, 0.0) == []
