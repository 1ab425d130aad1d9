"""A behaviour from a recorded session span: the pose mapping applied to the stored frames
at their times (a person stands, leans towards the camera, stands, raises both arms)."""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

from posestudio.sessions.synthetic import STREAM_KEY, bodies, write_frames
from tests.utils.robots import OPERATOR, OTHER, VIEWER, RobotsBackend, robots_backend

FPS = 30.0
LEAN = (1.5, 3.0)  # session seconds leaning towards the camera
ARMS_UP = (3.5, 5.0)  # both wrists above the head: held 1 s, `stand_up`
FROM, TO = 1.0, 5.5
LIMITS = {"max_vx": 0.5, "max_vy": 0.3, "max_yaw": 0.8}
UPPER = slice(0, 23)  # the head, arms and hands: what leans over the hips


def recorded_person() -> tuple[np.ndarray, list[tuple[np.ndarray, np.ndarray] | None]]:
    times = np.round(np.arange(0.0, 6.0, 1.0 / FPS), 6)
    world = bodies(np.full(times.shape, 175.0))
    a = math.radians(30)  # the upper body turned about x: the shoulders come forward (-z)
    turn = np.array([[1, 0, 0], [0, math.cos(a), -math.sin(a)], [0, math.sin(a), math.cos(a)]])
    for i, t in enumerate(times):
        if LEAN[0] <= t < LEAN[1]:
            world[i, UPPER, :3] = world[i, UPPER, :3] @ turn.T
        if ARMS_UP[0] <= t < ARMS_UP[1]:
            world[i, [15, 16], 1] = -0.9  # the nose is at y -0.64; y is down
    return times, [(w.copy(), w) for w in np.round(world, 4)]


@pytest.fixture(scope="module")
def backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RobotsBackend, str]]:
    with robots_backend(tmp_path_factory.mktemp("from-session"), engines=False, sessions=True) as b:
        assert b.sessions is not None
        times, persons = recorded_person()
        session_id = write_frames(
            b.sessions.database, b.sessions.storage, times, persons, owner="user:olga", name="lean"
        )
        yield b, session_id


def create(b: RobotsBackend, token: str, **body: Any) -> Any:
    with b.http(token) as http:
        return http.post("/api/behaviours/from-session", json=body)


def test_a_recorded_lean_and_gesture_become_timed_commands(
    backend: tuple[RobotsBackend, str],
) -> None:
    b, session_id = backend
    span = {"session_id": session_id, "stream": STREAM_KEY, "from": FROM, "to": TO}
    made = create(b, OPERATOR, **span, name="lean", models=["go2"], limits=LIMITS)
    assert made.status_code == 201, made.text
    behaviour = made.json()
    assert (behaviour["author"], behaviour["version"], behaviour["models"]) == (
        "user:olga",
        1,
        ["go2"],
    )
    steps = behaviour["steps"]
    times = [s["t"] for s in steps]
    assert times == sorted(times) and times[0] >= 0
    assert steps[-1] == {"t": TO - FROM, "command": {"kind": "stop"}}
    moves = [(s["t"], s["command"]) for s in steps if s["command"]["kind"] == "move"]
    # Calibrated on the span's first 5 frames, then moving only while leaning, at full speed.
    assert moves[0][0] == pytest.approx(4 / FPS, abs=1e-3)
    tol = 1.5 / FPS
    for t, move in moves:
        session_t = t + FROM
        assert (move["y"], move["z"]) == (0.0, 0.0), (t, move)
        if LEAN[0] + tol <= session_t < LEAN[1] - tol:
            assert move["x"] == LIMITS["max_vx"], (t, move)
        elif not LEAN[0] - tol <= session_t < LEAN[1] + tol:
            assert move["x"] == 0.0, (t, move)
    full = [t for t, move in moves if move["x"] == LIMITS["max_vx"]]
    assert len(full) >= 5 and full[-1] - full[0] >= LEAN[1] - LEAN[0] - 0.3
    # The live sink's rate (at most 15 a second), a repeat kept every 0.2 s.
    gaps = [later[0] - earlier[0] for earlier, later in itertools.pairwise(moves)]
    assert min(gaps) >= 1 / 15 - 1e-3 and max(gaps) <= 0.2 + 1 / FPS + 1e-3
    actions = [(s["t"], s["command"]["name"]) for s in steps if s["command"]["kind"] == "action"]
    assert len(actions) == 1 and actions[0][1] == "stand_up"
    assert actions[0][0] + FROM == pytest.approx(ARMS_UP[0] + 1.0, abs=tol)
    with b.http(OPERATOR) as http:
        listed = http.get("/api/behaviours", params={"q": "lean"}).json()["behaviours"]
        assert [x["id"] for x in listed] == [behaviour["id"]]
        assert http.delete(f"/api/behaviours/{behaviour['id']}").status_code == 204


def test_only_who_may_read_the_session_and_control_robots_may(
    backend: tuple[RobotsBackend, str],
) -> None:
    b, session_id = backend
    body = {"session_id": session_id, "stream": STREAM_KEY, "from": FROM, "to": TO}
    body |= {"name": "x", "models": ["go2"]}
    other = create(b, OTHER, **body)  # an operator who may not read olga's session
    assert (other.status_code, other.json()["error"]["code"]) == (404, "NOT_FOUND")
    viewer = create(b, VIEWER, **body)
    assert (viewer.status_code, viewer.json()["error"]["details"]["action"]) == (
        403,
        "robot.control",
    )


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"to": FROM}, 400, "to"),  # not after from
        ({"to": FROM + 601}, 400, "to"),  # too long a span
        ({"stream": "st_nosuchstream"}, 404, None),
        ({"from": 0.0, "to": 0.1}, 400, "from"),  # too short to calibrate: no pose
        ({"models": []}, 422, None),
    ],
)
def test_a_bad_span_is_refused_with_a_structured_error(
    backend: tuple[RobotsBackend, str], change: dict[str, Any], status: int, field: str | None
) -> None:
    b, session_id = backend
    body = {"session_id": session_id, "stream": STREAM_KEY, "from": FROM, "to": TO}
    response = create(b, OPERATOR, **{**body, "name": "bad", "models": ["go2"], **change})
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert set(error) >= {"code", "message", "details"}
    if field is not None:
        assert error["details"]["field"] == field
    with b.http(OPERATOR) as http:
        assert http.get("/api/behaviours", params={"q": "bad"}).json()["behaviours"] == []
