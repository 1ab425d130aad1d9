"""`posestudio robot estop` against a real backend with a robot service client.

The command runs in this process (typer's runner, on a thread): a process of its own
would spend seconds importing the whole CLI per call."""

from __future__ import annotations

import asyncio

import pytest
from typer.testing import CliRunner

from posestudio_cli.main import app
from tests.utils.robots import OPERATOR, VIEWER, robots_backend, service


async def estop(url: str, robot: str, token: str) -> tuple[int, str]:
    args = ["robot", "estop", robot, "--url", url, "--token", token]
    result = await asyncio.to_thread(CliRunner().invoke, app, args)
    return result.exit_code, result.output


async def test_estop_from_the_command_line(tmp_path_factory: pytest.TempPathFactory) -> None:
    with robots_backend(tmp_path_factory.mktemp("cli-robots"), engines=False) as backend:
        rex = backend.add_robot("rex")["id"]
        async with service(backend.url) as svc:
            await svc.hello()
            await svc.online(rex)
            code, out = await estop(backend.url, "rex", OPERATOR)
            assert code == 0 and f"e-stop {rex}: delivered" in out, out
            assert (await svc.seen("estop"))["controller"] == "user:olga"
            code, out = await estop(backend.url, rex, VIEWER)
            assert code == 1 and "FORBIDDEN" in out
            code, out = await estop(backend.url, "nobody", OPERATOR)
            assert code == 2 and "no robot named" in out
