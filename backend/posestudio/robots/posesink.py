"""Pose control: a sink on every stream that, when the stream is bound to a robot,
turns each pose into a drive (at most `MAX_HZ`) through the hub, as its holder would.

`pose_control {robot_id, stream_id, on}` binds a stream the person may read to a robot
whose lease their connection holds; the binding ends with the lease, with `on: false`,
or with the stream (the robot is then told to stop).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from posestudio.errors import PoseStudioError
from posestudio.protocol.robots import DriveRequest
from posestudio.robots.hub import RobotHub
from posestudio.robots.posecontrol import PoseDriver

if TYPE_CHECKING:
    from posestudio.pipeline.results import PoseResult
    from posestudio.pipeline.stream import Stream

log = logging.getLogger(__name__)

MAX_HZ = 15.0


@dataclass
class Binding:
    robot_id: str
    sid: str
    driver: PoseDriver
    sent_at: float = 0.0
    drives: int = field(default=0)


class PoseControl:
    def __init__(self, hub: RobotHub) -> None:
        self.hub = hub
        self.bindings: dict[str, Binding] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def bind(self, stream_id: str, robot_id: str, sid: str) -> None:
        state = self.hub.robot(robot_id)
        for other, binding in list(self.bindings.items()):
            if binding.robot_id == robot_id:
                del self.bindings[other]
        self.bindings[stream_id] = Binding(robot_id, sid, PoseDriver(state.config.limits))

    async def unbind(self, stream_id: str, robot_id: str | None = None) -> None:
        binding = self.bindings.get(stream_id)
        if binding is None or (robot_id is not None and binding.robot_id != robot_id):
            return
        del self.bindings[stream_id]
        with contextlib.suppress(PoseStudioError):
            await self.hub.drive(
                binding.sid, DriveRequest(robot_id=binding.robot_id, x=0, y=0, z=0)
            )

    async def pose(self, stream_id: str, result: PoseResult) -> None:
        binding = self.bindings.get(stream_id)
        if binding is None:
            return
        state = self.hub.robots.get(binding.robot_id)
        if state is None or state.lease is None or state.lease.sid != binding.sid:
            del self.bindings[stream_id]  # the lease ended: so does pose control
            return
        now = time.monotonic()
        # The pose stream is this controller's input: each of its frames keeps the lease.
        state.lease.last_seen = now
        world = result.persons[0].world if result.persons else None
        gesture = binding.driver.gesture(world, now)
        velocity = binding.driver.update(world, now)
        try:
            if gesture is not None:
                # An action waits for the robot's answer: never inside the stream's sink.
                task = asyncio.create_task(self._action(binding, gesture))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
            if velocity is None or now - binding.sent_at < 1.0 / MAX_HZ:
                return
            binding.sent_at = now
            x, y, z = velocity
            request = DriveRequest(robot_id=binding.robot_id, x=x, y=y, z=z)
            await self.hub.drive(binding.sid, request, source="pose")
            binding.drives += 1
        except PoseStudioError as exc:
            log.debug("pose control of %s: %s", binding.robot_id, exc.code)

    async def _action(self, binding: Binding, name: str) -> None:
        try:
            await self.hub.action(binding.sid, binding.robot_id, name)
        except PoseStudioError as exc:
            log.debug("pose gesture %s on %s: %s", name, binding.robot_id, exc.code)

    def sink(self, stream: Stream) -> PoseSink:
        return PoseSink(self, stream.id)


class PoseSink:
    name = "robot"
    lossless = False
    inline = True  # a dict lookup unless bound; a bound one emits one message

    def __init__(self, control: PoseControl, stream_id: str) -> None:
        self.control = control
        self.stream_id = stream_id

    async def deliver(self, result: PoseResult) -> None:
        await self.control.pose(self.stream_id, result)

    async def close(self) -> None:
        await self.control.unbind(self.stream_id)
