"""One robot's life in the service: connect with backoff, tick the envelope, run commands.

The runner sends at the fixed rate whatever its envelope says, watches the telemetry
(no state for `watchdog_ms` → stop, degraded, reconnect), and answers each command with a
`RobotResult`. An e-stop goes out at once, ahead of the tick.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from typing import Any, Protocol

from posestudio_core.errors import PoseStudioError, RobotEstopped, RobotOffline
from posestudio_robot import commands
from posestudio_robot.envelope import Envelope, Step, check_fresh
from posestudio_robot.limits import limits_for
from posestudio_robot.models import (
    Action,
    ClearEstop,
    Estop,
    Move,
    RobotCommand,
    RobotConfig,
    RobotResult,
    Status,
    Stop,
    Velocity,
)
from posestudio_robot.settings import RobotSettings
from posestudio_robot.telemetry import TelemetryState

log = logging.getLogger(__name__)


class Driver(Protocol):
    @property
    def connected(self) -> bool: ...
    async def connect(self) -> None: ...
    def send(self, request: commands.Request) -> None: ...
    async def request(self, request: commands.Request) -> dict[str, Any]: ...
    def subscribe(self, topic: str, callback: Callable[[str, Any], None]) -> None: ...
    async def close(self) -> None: ...


DriverFactory = Callable[[RobotConfig, RobotSettings], Driver]


class Uplink(Protocol):
    """Where a runner reports: the backend link."""

    async def status(self, robot_id: str, status: Status, detail: str) -> None: ...
    async def telemetry(self, payload: dict[str, Any]) -> None: ...


class RobotRunner:
    def __init__(
        self,
        config: RobotConfig,
        settings: RobotSettings,
        uplink: Uplink,
        driver_factory: DriverFactory,
    ) -> None:
        self.config = config
        self.settings = settings
        self.uplink = uplink
        self._factory = driver_factory
        self.envelope = Envelope(
            limits_for(config.model, config.limits),
            deadman_s=settings.deadman_ms / 1000,
            watchdog_s=settings.watchdog_ms / 1000,
            send_period_s=1 / settings.send_hz,
        )
        self.telemetry = TelemetryState(config.id, config.model)
        self.status: Status = "offline"
        self.detail = "connecting"
        self.driver: Driver | None = None
        self._task: asyncio.Task[None] | None = None
        self._last_telemetry = 0.0
        self.commands = 0
        self.estops = 0

    @property
    def robot_id(self) -> str:
        return self.config.id

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=f"robot {self.robot_id}")

    def update_limits(self, config: RobotConfig) -> None:
        self.config = config
        self.envelope.limits = limits_for(config.model, config.limits)

    async def close(self) -> None:
        """Stop the robot (best effort) and drop its link."""
        await self.halt()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _set_status(self, status: Status, detail: str = "") -> None:
        detail = detail[:200]
        if (status, detail) == (self.status, self.detail):
            return
        self.status, self.detail = status, detail
        log.info("robot %s: %s %s", self.robot_id, status, detail)
        await self.uplink.status(self.robot_id, status, detail)

    def _live_status(self) -> Status:
        return "estopped" if self.envelope.estopped else "online"

    # The connection loop
    async def _run(self) -> None:
        delay = self.settings.reconnect_min_s
        while True:
            driver = self._factory(self.config, self.settings)
            try:
                await driver.connect()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                await self._set_status("offline", f"connect failed: {exc}")
                await asyncio.sleep(delay)
                delay = min(delay * 2, self.settings.reconnect_max_s)
                continue
            delay = self.settings.reconnect_min_s
            self.driver = driver
            try:
                self.envelope.reset_watchdog(time.monotonic())
                for topic in commands.STATE_TOPICS[self.config.model]:
                    driver.subscribe(topic, self._on_state)
                await self._set_status(self._live_status())
                reason = await self._drive(driver)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                # A link that failed after connecting (a closed channel, a failed emit):
                # reconnect like any other loss, never leave the robot without a runner.
                reason = f"link failed: {exc}"
            finally:
                await self.halt()
                self.driver = None
                await driver.close()
            await self._set_status("degraded", reason)
            await asyncio.sleep(delay)

    def _on_state(self, topic: str, data: Any) -> None:
        self.envelope.state_seen(time.monotonic())
        self.telemetry.update(topic, data)

    async def _drive(self, driver: Driver) -> str:
        """Tick at the send rate until the link or its telemetry dies; returns why."""
        period = 1 / self.settings.send_hz
        telemetry_period = 1 / self.settings.telemetry_hz
        deadline = time.monotonic()
        while True:
            now = time.monotonic()
            if self.envelope.watchdog_expired(now):
                return f"no telemetry for {self.settings.watchdog_ms} ms"
            if not driver.connected:
                return "the link closed"
            try:
                self._send_step(driver, self.envelope.tick(now))
            except RobotOffline as exc:
                return exc.message
            if now - self._last_telemetry >= telemetry_period and self.telemetry.mode is not None:
                self._last_telemetry = now
                payload = self.telemetry.snapshot(time.time()).model_dump(mode="json")
                await self.uplink.telemetry(payload)
            deadline += period
            await asyncio.sleep(max(0.0, deadline - time.monotonic()))
            if deadline < time.monotonic() - period:
                deadline = time.monotonic()  # fell behind: the next tick is now, no burst

    def _send_step(self, driver: Driver, step: Step) -> None:
        model = self.config.model
        if step.velocity is not None:
            driver.send(commands.move(model, *step.velocity))
        if step.stop_move:
            driver.send(commands.stop_move(model))

    async def halt(self) -> None:
        """Stop now (the backend link went away, or the robot is being dropped)."""
        step = self.envelope.stop()
        driver = self.driver
        if driver is not None and driver.connected and not self.envelope.estopped:
            with contextlib.suppress(PoseStudioError):
                self._send_step(driver, step)

    # Commands
    async def handle(self, command: RobotCommand) -> RobotResult:
        """Run one command under the envelope; never raises."""
        self.commands += 1
        clamped: Velocity | None = None
        try:
            clamped = await self._handle(command)
        except PoseStudioError as exc:
            return RobotResult.refused(self.robot_id, command.seq, exc.code, exc.message)
        return RobotResult(robot_id=self.robot_id, seq=command.seq, ok=True, clamped=clamped)

    def _connected_driver(self) -> Driver:
        driver = self.driver
        if driver is None or not driver.connected or self.status == "degraded":
            raise RobotOffline(f"robot {self.robot_id} is {self.status}: {self.detail}")
        return driver

    async def _handle(self, command: RobotCommand) -> Velocity | None:
        body = command.command
        model = self.config.model
        if isinstance(body, Estop):
            # Never stale, never refused: latch first, then damp if the robot is there.
            self.envelope.estop()
            self.estops += 1
            driver = self.driver
            await self._set_status(
                "estopped", f"by {command.controller}" if command.controller else ""
            )
            if driver is None or not driver.connected:
                raise RobotOffline("e-stop latched; the robot is offline, nothing to damp")
            await driver.request(commands.damp(model))
            return None
        check_fresh(command.issued_at, command.deadline_ms, time.time())
        if isinstance(body, ClearEstop):
            self.envelope.clear_estop()
            if self.driver is not None and self.driver.connected:
                await self._set_status("online")
            return None
        driver = self._connected_driver()
        if isinstance(body, Move):
            x, y, z = self.envelope.move(body.x, body.y, body.z, time.monotonic())
            return Velocity(x=x, y=y, z=z)
        if self.envelope.estopped:
            raise RobotEstopped("e-stopped: clear the e-stop first")
        if isinstance(body, Stop):
            step = self.envelope.stop()
            if step.velocity is not None:
                driver.send(commands.move(model, *step.velocity))
            await driver.request(commands.stop_move(model))
            return None
        assert isinstance(body, Action)
        await driver.request(commands.action(model, body.name))
        return None
