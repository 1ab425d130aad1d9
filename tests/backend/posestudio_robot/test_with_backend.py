"""The robot service against the real backend: a person drives the simulator through it.

The real app (tests/utils/robots.py, SQLite, no pose engine), `posestudio robot serve` with
a token scoped to `robot.serve`, and `posestudio robot simulate`: an operator takes the
lease, drives, sees the telemetry, e-stops; the registry entry (with its AES key) reaches
the service only through the backend.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from pathlib import Path
from typing import Any

from tests.backend.posestudio_robot.harness import free_loopback_host, service, simulator
from tests.utils.robots import OPERATOR, SERVICE, peer, robots_backend
from tests.utils.server import free_port

KEY = "00112233445566778899aabbccddeeff"
MODE_DAMP = 7


def speed(data: dict[str, Any]) -> float:
    return math.hypot(data["velocity"]["x"], data["velocity"]["y"])


async def test_a_person_drives_and_estops_the_simulator_through_the_backend(
    tmp_path: Path,
) -> None:
    host = free_loopback_host()
    output: list[str] = []
    with contextlib.ExitStack() as stack:
        # A generous deadline: the tests share busy cores.
        backend = stack.enter_context(
            robots_backend(tmp_path, engines=False, robot_command_deadline_ms=2000)
        )
        rex = backend.add_robot(name="rex", address=host, aes_key=KEY)["id"]
        robot_service = service(backend.url, tmp_path, output, free_port(), token=SERVICE)
        async with peer(backend.url, OPERATOR) as olga:
            await asyncio.gather(
                asyncio.to_thread(stack.enter_context, simulator(host, tmp_path, "--aes-key", KEY)),
                asyncio.to_thread(stack.enter_context, robot_service),
            )

            def of_rex(status: str | None = None) -> Any:
                return lambda d: d["robot_id"] == rex and status in (None, d.get("status"))

            await olga.until("robot_status", of_rex("online"), 60)
            assert (await olga.call("take_control", {"robot_id": rex}))["ok"]
            for _ in range(15):
                ack = await olga.call("drive", {"robot_id": rex, "x": 0.5, "y": 0, "z": 0})
                assert ack["ok"], ack
                await asyncio.sleep(0.05)  # the studio's fixed rate
            moving = await olga.until(
                "robot_telemetry", lambda d: of_rex()(d) and speed(d) > 0.1, 5
            )
            assert moving["pose"]["x"] > 0 and moving["battery"]["soc"] > 0
            sent = time.monotonic()
            assert (await olga.call("estop", {"robot_id": rex}))["ok"]
            await olga.until("robot_status", of_rex("estopped"), 5)
            await olga.until("robot_telemetry", lambda d: of_rex()(d) and d["mode"] == MODE_DAMP, 5)
            damped_ms = (time.monotonic() - sent) * 1000
            refused = await olga.call("drive", {"robot_id": rex, "x": 0.5, "y": 0, "z": 0})
            assert not refused["ok"] and refused["error"]["code"] == "ROBOT_ESTOPPED"
    print(f"e-stop through the backend: damped in the studio's telemetry {damped_ms:.0f} ms")
