"""`posestudio robot serve`: the backend link and the robots, until stopped."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

from aiohttp import web

from posestudio_core.auth import load_or_create_token
from posestudio_robot.settings import RobotSettings

log = logging.getLogger(__name__)


def service_token(settings: RobotSettings) -> str:
    """The API token: set explicitly, or the one in data_dir/token (the backend's own)."""
    if settings.token is not None:
        return settings.token.get_secret_value()
    return load_or_create_token(settings.data_dir)


async def serve(settings: RobotSettings) -> None:
    """Run until SIGINT or SIGTERM; every robot is stopped before the process ends."""
    if settings.ice_loopback:
        from posestudio_robot.loopback import patch_ice_loopback

        patch_ice_loopback()
    # Imported here: the package patches aioice and aiortc on import (its own process).
    from posestudio_robot.driver import UnitreeDriver
    from posestudio_robot.link import BackendLink
    from posestudio_robot.metrics import health_app

    link = BackendLink(settings, service_token(settings), UnitreeDriver)
    log.info("robot service for site %s, backend %s", settings.site, settings.backend_url)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    connecting = asyncio.create_task(link.connect())
    runner = web.AppRunner(health_app(settings, link), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, settings.host, settings.port).start()
    try:
        await stop.wait()
    finally:
        await runner.cleanup()
        connecting.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await connecting
        await link.close()
        log.info("robot service stopped")
