"""The whole chain: a person on `/robots` → this backend → the real robot service
(`posestudio robot serve`, its own process) → the simulator (`posestudio robot simulate`
on a loopback address of its own) and back as status and telemetry."""

from __future__ import annotations

import asyncio
import contextlib
import math
from pathlib import Path

import pytest

from tests.backend.posestudio_robot.harness import free_loopback_host, service, simulator
from tests.utils.robots import OPERATOR, OTHER, RobotsBackend, peer
from tests.utils.server import free_port

# Two processes start (the robot service and the simulator): about 40 s on 2 busy cores.
pytestmark = pytest.mark.slow
KEY = "00112233445566778899aabbccddeeff"
HZ = 15.0


async def test_drive_and_estop_the_simulator_through_the_backend(
    robots: RobotsBackend, tmp_path: Path
) -> None:
    host = free_loopback_host()
    rex = robots.add_robot("sim", address=host, aes_key=KEY)["id"]
    async with peer(robots.url, OPERATOR) as olga, peer(robots.url, OTHER) as otto:
        with contextlib.ExitStack() as running:
            output: list[str] = []
            await asyncio.gather(
                asyncio.to_thread(
                    running.enter_context, simulator(host, tmp_path, "--aes-key", KEY)
                ),
                asyncio.to_thread(
                    running.enter_context, service(robots.url, tmp_path, output, free_port())
                ),
            )
            await olga.until(
                "robot_status", lambda s: s["robot_id"] == rex and s["status"] == "online", 60
            )
            assert (await olga.call("take_control", {"robot_id": rex}))["ok"]
            assert (await olga.call("robot_action", {"robot_id": rex, "name": "stand_up"}))["ok"]
            for _ in range(int(1.5 * HZ)):  # the studio's fixed rate, as pacing
                ack = await olga.call("drive", {"robot_id": rex, "x": 0.5, "y": 0, "z": 0})
                assert ack["ok"], ack
                await asyncio.sleep(1 / HZ)
            moved = await olga.until(
                "robot_telemetry",
                lambda t: t["robot_id"] == rex and math.hypot(t["pose"]["x"], t["pose"]["y"]) > 0.2,
            )
            assert moved["battery"]["soc"] > 0
            # Another operator's e-stop, without the lease, damps it; drives are refused.
            assert (await otto.call("estop", {"robot_id": rex}))["delivered"] is True
            await olga.until(
                "robot_status", lambda s: s["robot_id"] == rex and s["status"] == "estopped"
            )
            refused = await olga.call("drive", {"robot_id": rex, "x": 0.5, "y": 0, "z": 0})
            assert refused["error"]["code"] == "ROBOT_ESTOPPED"
        # The robot service gone: the robot is offline for everyone.
        await olga.until(
            "robot_status", lambda s: s["robot_id"] == rex and s["status"] == "offline", 30
        )
    with robots.http() as admin:
        metrics = admin.get("/metrics").text
    assert "pose_robot_estops_total" in metrics
