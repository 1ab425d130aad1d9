"""`posestudio robot serve | simulate | estop`: the robot service, a simulated robot to
drive, and the e-stop from a terminal (through the backend)."""

from __future__ import annotations

import asyncio
import contextlib
import os
from typing import Annotated, Any, Literal

import typer

from posestudio_cli.common import access_token, backend_settings, configure_logging

app = typer.Typer(help="Robots: the robot service next to them, a simulator, the e-stop.")


@app.command("serve")
def robot_serve(
    backend_url: Annotated[str | None, typer.Option(help="The backend's URL")] = None,
    token: Annotated[
        str | None, typer.Option(help="An API token allowed robot.serve", envvar=None)
    ] = None,
    site: Annotated[str | None, typer.Option(help="This site's name")] = None,
    ice_loopback: Annotated[
        bool | None, typer.Option(help="ICE on 127.0.0.1 only (a simulator on this host)")
    ] = None,
) -> None:
    """Run the robot service: connect to the backend and hold the robots' links."""
    from posestudio_robot.service import serve
    from posestudio_robot.settings import RobotSettings

    overrides: dict[str, Any] = {
        "backend_url": backend_url,
        "token": token,
        "site": site,
        "ice_loopback": ice_loopback,
    }
    settings = RobotSettings(**{k: v for k, v in overrides.items() if v is not None})
    configure_logging(settings.log_level)
    asyncio.run(serve(settings))


@app.command("simulate")
def robot_simulate(
    model: Annotated[str, typer.Option(help="go2 or g1")] = "go2",
    host: Annotated[str, typer.Option(help="The address to listen on (ports 9991, 8081)")] = (
        "127.0.0.1"
    ),
    aes_key: Annotated[
        str | None, typer.Option(help="Ask for this per-device AES key (32 hex)")
    ] = None,
) -> None:
    """Run a simulated robot that speaks the real LAN protocol, until Ctrl-C."""
    from posestudio_robot.simulator.server import run

    if model not in ("go2", "g1"):
        raise typer.BadParameter("go2 or g1", param_hint="--model")
    chosen: Literal["go2", "g1"] = "go2" if model == "go2" else "g1"
    configure_logging("warning")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run(chosen, host, aes_key))


@app.command("estop")
def robot_estop(
    robot: Annotated[str, typer.Argument(help="The robot's id (rb_…) or name")],
    url: Annotated[str, typer.Option(help="Backend URL")] = "http://127.0.0.1:8000",
    token: Annotated[
        str | None, typer.Option(help="Access token (default: POSE_STUDIO_TOKEN or data/token)")
    ] = None,
) -> None:
    """E-stop a robot: damped at once, latched until an operator clears it in the studio."""
    import httpx

    access = token or os.environ.get("POSE_STUDIO_TOKEN") or access_token(backend_settings())
    headers = {"Authorization": f"Bearer {access}"}
    with httpx.Client(base_url=url, headers=headers, timeout=5) as client:
        robot_id = robot
        if not robot.startswith("rb_"):
            listed = client.get("/api/robots")
            _check(listed)
            named = [r["id"] for r in listed.json()["robots"] if r["name"] == robot]
            if not named:
                typer.echo(f"no robot named {robot!r}", err=True)
                raise typer.Exit(2)
            robot_id = named[0]
        response = client.post(f"/api/robots/{robot_id}/estop")
        _check(response)
    ack = response.json()
    delivered = "delivered" if ack.get("delivered") else "latched (no robot service now)"
    typer.echo(f"e-stop {robot_id}: {delivered}")


def _check(response: object) -> None:
    import httpx

    assert isinstance(response, httpx.Response)
    if response.status_code >= 400:
        error = response.json().get("error", {})
        typer.echo(f"{error.get('code', response.status_code)}: {error.get('message')}", err=True)
        raise typer.Exit(1)
