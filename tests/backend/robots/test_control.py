"""People drive robots through the backend: one lease per robot, commands relayed to a
robot service client over a real socket, e-stops that always go through, the audit log."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from sqlmodel import col, select

from posestudio.accounts.models import AuditEvent
from tests.utils.robots import ADMIN, OPERATOR, OTHER, VIEWER, RobotsBackend, peer, service


def audit_rows(robots: RobotsBackend, robot_id: str) -> list[AuditEvent]:
    with robots.robots.database.session() as session:
        query = select(AuditEvent).where(AuditEvent.target == robot_id)
        return list(session.exec(query.order_by(col(AuditEvent.id))))


async def wait_rows(
    robots: RobotsBackend, robot_id: str, action: str, count: int = 1
) -> list[AuditEvent]:
    """The audit rows of `action` once at least `count` are written. The server's own
    batches write them (every 0.2 s here): a flush from this test's thread would race the
    server's thread adding rows to the same batch, and lose some."""
    async with asyncio.timeout(5):
        while True:
            rows = [r for r in audit_rows(robots, robot_id) if r.action == action]
            if len(rows) >= count:
                return rows
            await asyncio.sleep(0.05)


def error(ack: dict[str, Any]) -> str:
    assert ack["ok"] is False, ack
    code: str = ack["error"]["code"]
    return code


async def test_one_controller_and_drives_reach_the_service(robots: RobotsBackend) -> None:
    rex = robots.add_robot(limits={"max_vx": 0.6})["id"]
    async with (
        service(robots.url) as svc,
        peer(robots.url, OPERATOR) as olga,
        peer(robots.url, OTHER) as otto,
        peer(robots.url, VIEWER) as vera,
    ):
        await svc.hello()
        assert error(await olga.call("drive", {"robot_id": rex, "x": 0.1, "y": 0, "z": 0})) == (
            "CONFLICT"
        )
        await svc.online(rex)
        await vera.until("robot_status", lambda s: s["status"] == "online")
        lease = await olga.call("take_control", {"robot_id": rex})
        assert lease == {"ok": True, "robot_id": rex, "holder": "user:olga"}
        seen = await vera.until("lease", lambda m: m["holder"] == "user:olga")
        assert seen["robot_id"] == rex
        taken = await otto.call("take_control", {"robot_id": rex})
        assert error(taken) == "CONFLICT" and taken["error"]["details"]["holder"] == "user:olga"
        assert error(await vera.call("take_control", {"robot_id": rex})) == "FORBIDDEN"
        assert error(await vera.call("drive", {"robot_id": rex, "x": 1, "y": 0, "z": 0})) == (
            "FORBIDDEN"
        )

        before = time.time()
        ack = await olga.call("drive", {"robot_id": rex, "x": 2.0, "y": 0.1, "z": -0.2})
        assert ack["ok"] and ack["seq"] >= 1
        move = await svc.seen("move")
        assert move["seq"] == ack["seq"] and move["controller"] == "user:olga"
        assert move["command"] == {"kind": "move", "x": 2.0, "y": 0.1, "z": -0.2}
        assert move["deadline_ms"] == 400 and before - 1 <= move["issued_at"] <= time.time()
        listed = (await vera.call("robots_list"))["robots"][0]
        assert listed["controller"] == "user:olga" and "aes_key" not in listed
        assert "hello" in listed["actions"]

        assert (await olga.call("robot_action", {"robot_id": rex, "name": "hello"}))["ok"]
        assert (await svc.seen("action"))["command"] == {"kind": "action", "name": "hello"}
        # The service clamped the drive (max_vx 0.6) and said so before answering hello.
        assert robots.robots.hub.stats.clamps >= 1
        unknown = await olga.call("robot_action", {"robot_id": rex, "name": "arm_HandsUp"})
        assert error(unknown) == "ROBOT_REFUSED"
        svc.refuse = {"code": "ROBOT_REFUSED", "message": "not standing"}
        refused = await olga.call("robot_action", {"robot_id": rex, "name": "sit"})
        assert error(refused) == "ROBOT_REFUSED"

        # An admin may end anyone's lease; the robot is told to stop.
        async with peer(robots.url, ADMIN) as admin:
            assert (await admin.call("release_control", {"robot_id": rex}))["holder"] is None
        await svc.seen("stop")
        await olga.until("lease", lambda m: m["holder"] is None)
        assert error(await olga.call("drive", {"robot_id": rex, "x": 0, "y": 0, "z": 0})) == (
            "CONFLICT"
        )


async def test_leases_end_on_disconnect_and_on_silence(robots: RobotsBackend) -> None:
    rex = robots.add_robot()["id"]
    async with service(robots.url) as svc, peer(robots.url, VIEWER) as vera:
        await svc.hello()
        await svc.online(rex)
        async with peer(robots.url, OPERATOR) as olga:
            assert (await olga.call("take_control", {"robot_id": rex}))["ok"]
            await vera.until("lease", lambda m: m["holder"] == "user:olga")
        await vera.until("lease", lambda m: m["holder"] is None)
        await svc.seen("stop")
        async with peer(robots.url, OTHER) as otto:
            assert (await otto.call("take_control", {"robot_id": rex}))["ok"]
            taken = time.monotonic()
            await vera.until("lease", lambda m: m["holder"] == "user:otto")
            # Silent for the lease's idle time (2 s here): the lease ends by itself.
            await vera.until("lease", lambda m: m["holder"] is None)
            assert 1.9 <= time.monotonic() - taken < 5
            assert error(await otto.call("drive", {"robot_id": rex, "x": 0, "y": 0, "z": 0})) == (
                "CONFLICT"
            )
        # The robot service going away takes its robots offline.
        await svc.peer.sio.disconnect()
        offline = await vera.until("robot_status", lambda s: s["status"] == "offline")
        assert offline["robot_id"] == rex
    async with peer(robots.url, OPERATOR) as olga:
        assert (await olga.call("take_control", {"robot_id": rex}))["ok"]
        drive = await olga.call("drive", {"robot_id": rex, "x": 0.1, "y": 0, "z": 0})
        assert error(drive) == "ROBOT_OFFLINE"


async def test_estop_always_goes_through_and_latches(robots: RobotsBackend) -> None:
    rex = robots.add_robot()["id"]
    async with (
        service(robots.url) as svc,
        peer(robots.url, OPERATOR) as olga,
        peer(robots.url, OTHER) as otto,
        peer(robots.url, VIEWER) as vera,
    ):
        await svc.hello()
        await svc.online(rex)
        await vera.until("robot_status", lambda s: s["status"] == "online")
        assert (await olga.call("take_control", {"robot_id": rex}))["ok"]
        assert error(await vera.call("estop", {"robot_id": rex})) == "FORBIDDEN"
        # Otto holds no lease: his e-stop goes through all the same, first.
        started = time.monotonic()
        ack = await otto.call("estop", {"robot_id": rex})
        assert ack["ok"] and ack["delivered"] is True
        estop = await svc.seen("estop")
        # Sooner than the lease's idle end (3 s), which an e-stop must never wait for.
        assert time.monotonic() - started < 1.5 and estop["controller"] == "user:otto"
        status = await vera.until("robot_status", lambda s: s["estopped"])
        assert status["robot_id"] == rex
        drive = await olga.call("drive", {"robot_id": rex, "x": 0.2, "y": 0, "z": 0})
        assert error(drive) == "ROBOT_ESTOPPED"
        assert error(await olga.call("robot_action", {"robot_id": rex, "name": "sit"})) == (
            "ROBOT_ESTOPPED"
        )
        assert (await olga.call("clear_estop", {"robot_id": rex}))["ok"]
        await svc.seen("clear_estop")
        assert (await olga.call("drive", {"robot_id": rex, "x": 0.2, "y": 0, "z": 0}))["ok"]

        # On the API too; and an offline robot is damped again when it comes back.
        with robots.http(OTHER) as http:
            response = http.post(f"/api/robots/{rex}/estop")
        assert response.status_code == 200 and response.json()["ok"]
        await svc.seen("estop")
        with robots.http(VIEWER) as http:
            assert http.post(f"/api/robots/{rex}/estop").status_code == 403
        await svc.online(rex, "offline")
        await vera.until("robot_status", lambda s: s["status"] == "offline")
        offline = await otto.call("estop", {"robot_id": rex})
        assert offline["ok"] and offline["delivered"] is True  # to every robot service
        await svc.seen("estop")
        await svc.online(rex)
        await svc.seen("estop")
    estops = await wait_rows(robots, rex, "robot.estop", count=3)
    assert [row.actor for row in estops] == ["user:otto"] * 3
    with robots.http() as admin:
        metrics = admin.get("/metrics").text
    assert "pose_robot_estops_total" in metrics and 'pose_robot_connected{model="go2"}' in metrics


async def test_stale_drives_are_refused_and_refusals_reach_the_driver(
    robots: RobotsBackend,
) -> None:
    rex = robots.add_robot()["id"]
    async with service(robots.url) as svc, peer(robots.url, OPERATOR) as olga:
        await svc.hello()
        await svc.online(rex)
        assert (await olga.call("take_control", {"robot_id": rex}))["ok"]
        assert (await olga.call("drive", {"robot_id": rex, "x": 0, "y": 0, "z": 0, "seq": 5}))["ok"]
        stale = await olga.call("drive", {"robot_id": rex, "x": 1, "y": 0, "z": 0, "seq": 4})
        assert error(stale) == "COMMAND_STALE"
        svc.refuse = {"code": "COMMAND_STALE", "message": "past its deadline"}
        assert (await olga.call("drive", {"robot_id": rex, "x": 0, "y": 0, "z": 0, "seq": 6}))["ok"]
        refused = await olga.next("robot_error")
        assert refused["robot_id"] == rex and refused["error"]["code"] == "COMMAND_STALE"
        bad = await olga.call("drive", {"robot_id": rex, "x": "fast", "y": 0, "z": 0})
        assert error(bad) == "BAD_REQUEST"


async def test_a_control_session_is_one_audit_row(robots: RobotsBackend) -> None:
    rex = robots.add_robot()["id"]
    async with service(robots.url) as svc, peer(robots.url, OPERATOR) as olga:
        await svc.hello()
        await svc.online(rex)
        assert (await olga.call("take_control", {"robot_id": rex}))["ok"]
        batches = robots.robots.audit.batches
        for i in range(40):
            ack = await olga.call("drive", {"robot_id": rex, "x": 0.01 * i, "y": 0, "z": 0})
            assert ack["ok"]
        # Every move comes back with its target; only this one was clamped (max_vx 0.6).
        assert (await olga.call("drive", {"robot_id": rex, "x": 0, "y": 0, "z": 3.0}))["ok"]
        assert (await olga.call("robot_action", {"robot_id": rex, "name": "hello"}))["ok"]
        assert (await olga.call("release_control", {"robot_id": rex}))["ok"]
    rows = await wait_rows(robots, rex, "robot.control")
    assert len(rows) == 1 and rows[0].actor == "user:olga"
    details = rows[0].details or {}
    assert details["drives"] == 41 and details["reason"] == "released"
    assert details["clamped"] == 1 and abs(details["peak"]["x"] - 0.39) < 1e-9
    actions = [row.action for row in audit_rows(robots, rex)]
    assert actions.count("robot.control.take") == 1 and len(actions) <= 5
    # Forty drives took a handful of writes, not forty.
    assert robots.robots.audit.batches - batches <= 5


async def test_telemetry_reaches_people_at_most_ten_times_a_second(robots: RobotsBackend) -> None:
    rex = robots.add_robot()["id"]
    async with service(robots.url) as svc, peer(robots.url, VIEWER) as vera:
        await svc.hello()
        await svc.online(rex)
        started = time.monotonic()
        for i in range(30):
            sample = {
                "robot_id": rex,
                "ts": 1000.0 + i,
                "battery": {"soc": 80.0 - i, "voltage": 28.1, "current": -2.0},
                "mode": "walk",
                "velocity": {"x": 0.1, "y": 0.0, "z": 0.0},
            }
            await svc.peer.emit("robot_telemetry", sample)
        last = await vera.until("robot_telemetry", lambda t: t["ts"] == 1029.0)
        elapsed = time.monotonic() - started
        got = 1 + len(vera.drain("robot_telemetry"))
        assert last["battery"]["soc"] == 51.0
        assert robots.robots.hub.stats.telemetry_out <= 2 + elapsed * 10
        assert got <= 30
        listed = (await vera.call("robots_list"))["robots"][0]
        assert listed["telemetry"]["ts"] == 1029.0
        bad = await svc.peer.call("robot_telemetry", {"robot_id": rex, "ts": "now"})
        assert error(bad) == "BAD_REQUEST"
