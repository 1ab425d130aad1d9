"""Behaviours: recorded once (saved over HTTP), replayed on a robot through the lease,
stopped by an e-stop."""

from __future__ import annotations

import time
from typing import Any

from tests.utils.robots import OPERATOR, OTHER, VIEWER, RobotsBackend, peer, service


def steps(*commands: tuple[float, dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"t": t, "command": c} for t, c in commands]


WALK = steps(
    (0.0, {"kind": "move", "x": 0.3, "y": 0.0, "z": 0.0}),
    (0.1, {"kind": "action", "name": "hello"}),
    (0.2, {"kind": "move", "x": 0.0, "y": 0.0, "z": 0.5}),
    (0.3, {"kind": "stop"}),
)


def save(robots: RobotsBackend, body: dict[str, Any], token: str = OPERATOR) -> Any:
    with robots.http(token) as http:
        return http.post("/api/behaviours", json=body)


async def test_record_list_and_replay(robots: RobotsBackend) -> None:
    rex = robots.add_robot()["id"]
    body = {"name": "greet", "models": ["go2"], "steps": WALK, "description": "walk, wave"}
    assert save(robots, body, VIEWER).status_code == 403
    first = save(robots, body).json()
    second = save(robots, body).json()
    assert (first["version"], second["version"]) == (1, 2) and first["author"] == "user:olga"
    g1_only = save(robots, {**body, "name": "bow", "models": ["g1"]}).json()
    with robots.http(VIEWER) as http:
        listed = http.get("/api/behaviours", params={"q": "gre"}).json()["behaviours"]
        exported = http.get(f"/api/behaviours/{first['id']}").json()
    assert [b["version"] for b in listed] == [2, 1]
    assert exported["steps"] == WALK
    with robots.http(OTHER) as other:
        assert other.delete(f"/api/behaviours/{first['id']}").status_code == 403
    with robots.http() as admin:
        assert admin.delete(f"/api/behaviours/{first['id']}").status_code == 204

    async with service(robots.url) as svc, peer(robots.url, OPERATOR) as olga:
        await svc.hello()
        await svc.online(rex)
        run = {"robot_id": rex, "behaviour_id": second["id"]}
        assert (await olga.call("run_behaviour", run))["error"]["code"] == "CONFLICT"
        assert (await olga.call("take_control", {"robot_id": rex}))["ok"]
        wrong = await olga.call("run_behaviour", {**run, "behaviour_id": g1_only["id"]})
        assert wrong["error"]["code"] == "ROBOT_REFUSED"
        started = time.monotonic()
        ack = await olga.call("run_behaviour", run)
        assert ack["ok"] and ack["duration_s"] == 0.3
        first_move = await svc.seen("move")
        action = await svc.seen("action")
        turn = await svc.seen("move")
        stop = await svc.seen("move")
        assert first_move["command"]["x"] == 0.3 and action["command"]["name"] == "hello"
        assert turn["command"]["z"] == 0.5 and stop["command"] == {
            "kind": "move",
            "x": 0,
            "y": 0,
            "z": 0,
        }
        assert first_move["seq"] < action["seq"] < turn["seq"] < stop["seq"]
        done = await olga.next("behaviour")
        assert done == {"robot_id": rex, "behaviour_id": second["id"], "outcome": "done"}
        assert 0.25 <= time.monotonic() - started < 3

        # An e-stop ends a run where it is.
        long = steps(*((0.05 * i, {"kind": "move", "x": 0.1, "y": 0, "z": 0}) for i in range(60)))
        slow = save(robots, {"name": "crawl", "models": ["go2"], "steps": long}).json()
        # Held again: a busy machine may have let the lease go silent (1 s here) meanwhile.
        assert (await olga.call("take_control", {"robot_id": rex}))["ok"]
        assert (await olga.call("run_behaviour", {**run, "behaviour_id": slow["id"]}))["ok"]
        await svc.seen("move")
        assert (await olga.call("estop", {"robot_id": rex}))["ok"]
        ended = await olga.next("behaviour")
        assert ended["outcome"] == "ROBOT_ESTOPPED"
