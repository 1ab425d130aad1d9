"""Commands to the robot services: numbered, stamped, sent to the service that holds the
robot's link; the ones a person waits for (`call`) are answered by the service's
`robot_result`, and a move's result says whether the safety envelope clamped it."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Callable
from typing import Any

import socketio

from posestudio.errors import PoseStudioError
from posestudio.protocol.robots import NAMESPACE, RobotResult, Vector3
from posestudio.robots.state import RobotState, RobotStats
from posestudio_core.errors import (
    CommandStale,
    RobotEstopped,
    RobotOffline,
    RobotRefused,
    RobotTimeout,
)

MAX_MOVES_IN_FLIGHT = 256
CLAMP_EPSILON = 1e-6
_ERRORS: dict[str, type[PoseStudioError]] = {
    "ROBOT_OFFLINE": RobotOffline,
    "ROBOT_ESTOPPED": RobotEstopped,
    "COMMAND_STALE": CommandStale,
    "ROBOT_TIMEOUT": RobotTimeout,
}


def _differs(sent: tuple[float, float, float], clamped: Vector3) -> bool:
    """Whether the envelope changed a move (it reports every move's target, clamped or not)."""
    got = (clamped.x, clamped.y, clamped.z)
    return any(abs(a - b) > CLAMP_EPSILON for a, b in zip(sent, got, strict=True))


class Commands:
    """The numbered commands in flight to the robot services."""

    def __init__(
        self, sio: socketio.AsyncServer, stats: RobotStats, *, deadline_ms: int, timeout_s: float
    ) -> None:
        self.sio = sio
        self.stats = stats
        self.deadline_ms = deadline_ms
        self.timeout_s = timeout_s
        self._seq = itertools.count(1)
        self._results: dict[tuple[str, int], asyncio.Future[RobotResult]] = {}
        self._moves: dict[tuple[str, int], tuple[float, float, float]] = {}

    def next_seq(self) -> int:
        return next(self._seq)

    def payload(self, robot_id: str, seq: int, command: dict[str, Any], controller: str) -> Any:
        self.stats.commands[command["kind"]] += 1
        return {
            "robot_id": robot_id,
            "seq": seq,
            "issued_at": time.time(),
            "deadline_ms": self.deadline_ms,
            "controller": controller,
            "command": command,
        }

    async def send(
        self, state: RobotState, command: dict[str, Any], controller: str, seq: int | None = None
    ) -> int:
        """Emit the command to the robot's service (`seq`: one already numbered); its seq."""
        if state.service is None:
            raise RobotOffline("the robot is offline", details={"robot_id": state.config.id})
        seq = self.next_seq() if seq is None else seq
        payload = self.payload(state.config.id, seq, command, controller)
        if command["kind"] == "move":
            # Kept until its result says whether the envelope clamped it (bounded).
            self._moves[(state.config.id, seq)] = (command["x"], command["y"], command["z"])
            while len(self._moves) > MAX_MOVES_IN_FLIGHT:
                self._moves.pop(next(iter(self._moves)))
        await self.sio.emit("robot_command", payload, to=state.service, namespace=NAMESPACE)
        return seq

    async def call(self, state: RobotState, command: dict[str, Any], controller: str) -> int:
        """Send and wait for the robot service's `robot_result`; a refusal raises."""
        future: asyncio.Future[RobotResult] = asyncio.get_running_loop().create_future()
        seq = self.next_seq()
        self._results[(state.config.id, seq)] = future
        try:
            # Numbered and awaited before it goes: a quick `robot_result` is never missed.
            await self.send(state, command, controller, seq)
            try:
                result = await asyncio.wait_for(future, self.timeout_s)
            except TimeoutError:
                raise RobotTimeout(
                    "the robot service did not answer in time",
                    details={"timeout_s": self.timeout_s},
                ) from None
        finally:
            self._results.pop((state.config.id, seq), None)
        if not result.ok:
            error = result.error
            code = error.code if error else "ROBOT_REFUSED"
            self.stats.refused[code] += 1
            raise _ERRORS.get(code, RobotRefused)(
                error.message if error else "refused", details={"reason": code}
            )
        return seq

    def settle(self, message: RobotResult) -> tuple[bool, bool]:
        """A service's `robot_result`: (whether a `call` was waiting for it, whether the
        envelope clamped the move it answers)."""
        key = (message.robot_id, message.seq)
        future = self._results.pop(key, None)
        sent = self._moves.pop(key, None)
        clamped = (
            message.clamped is not None and sent is not None and _differs(sent, message.clamped)
        )
        awaited = future is not None and not future.done()
        if future is not None and awaited:
            future.set_result(message)
        return awaited, clamped

    def fail(self, gone: Callable[[str], bool], error: Callable[[], Exception]) -> None:
        """The calls waiting on robots for which `gone(robot_id)` end, each with its own
        `error()`."""
        for (robot_id, _), future in list(self._results.items()):
            if gone(robot_id) and not future.done():
                future.set_exception(error())
