"""The site's robots: one runner each, kept in step with the registry the backend sends."""

from __future__ import annotations

import asyncio

from posestudio_core.errors import NotFound
from posestudio_robot.models import RobotCommand, RobotConfig, RobotResult
from posestudio_robot.runner import DriverFactory, RobotRunner, Uplink
from posestudio_robot.settings import RobotSettings

# A change to any of these needs a new link; a change of limits or name does not.
LINK_FIELDS = ("model", "method", "address", "serial", "aes_key")


class Fleet:
    def __init__(self, settings: RobotSettings, uplink: Uplink, driver_factory: DriverFactory):
        self.settings = settings
        self.uplink = uplink
        self._factory = driver_factory
        self.runners: dict[str, RobotRunner] = {}
        # One registry change at a time: two interleaved would leave two runners (two
        # links) for one robot.
        self._applying = asyncio.Lock()

    async def apply(self, robots: list[RobotConfig]) -> None:
        """Start new robots, drop removed ones, reconnect those whose link changed."""
        async with self._applying:
            await self._apply(robots)

    async def _apply(self, robots: list[RobotConfig]) -> None:
        wanted = {robot.id: robot for robot in robots}
        for robot_id in [r for r in self.runners if r not in wanted]:
            await self.runners.pop(robot_id).close()
        for robot_id, config in wanted.items():
            runner = self.runners.get(robot_id)
            if runner is not None and all(
                getattr(runner.config, f) == getattr(config, f) for f in LINK_FIELDS
            ):
                runner.update_limits(config)
                await self.uplink.status(robot_id, runner.status, runner.detail)
                continue
            if runner is not None:
                await runner.close()
            runner = RobotRunner(config, self.settings, self.uplink, self._factory)
            self.runners[robot_id] = runner
            await self.uplink.status(robot_id, runner.status, runner.detail)
            runner.start()

    async def handle(self, command: RobotCommand) -> RobotResult:
        runner = self.runners.get(command.robot_id)
        if runner is None:
            error = NotFound(f"no robot {command.robot_id!r} on this service")
            return RobotResult.refused(command.robot_id, command.seq, error.code, error.message)
        return await runner.handle(command)

    async def halt_all(self) -> None:
        """Stop every robot at once (the backend link went away)."""
        await asyncio.gather(*(runner.halt() for runner in self.runners.values()))

    async def close(self) -> None:
        await asyncio.gather(*(runner.close() for runner in self.runners.values()))
        self.runners.clear()
