"""A behaviour from a recorded span: the "your pose" mapping, applied offline.

The same `PoseDriver` that turns a live stream's poses into drives (`posesink.py`) reads
the recorded frames at their own times: the span's first poses set the neutral stance,
leaning, side-leaning and turning become moves, held gestures become actions. Moves are
kept as the live sink sends them (at most `MAX_HZ`), and a repeat of the same velocity
only every `REPEAT_S` (enough for the robot's deadman), as the studio's recorder does; the
behaviour ends with a stop at the span's end.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy as np
import orjson

from posestudio.errors import BadRequest
from posestudio.protocol import NUM_LANDMARKS
from posestudio.protocol.robots import (
    ActionCommand,
    BehaviourStep,
    MoveCommand,
    RobotLimits,
    StopCommand,
)
from posestudio.robots.posecontrol import PoseDriver
from posestudio.robots.posesink import MAX_HZ
from posestudio.sessions import chunks
from posestudio.storage import Storage

REPEAT_S = 0.2
MAX_SPAN_S = 600.0
MAX_STEPS = 5000


def recorded_poses(
    storage: Storage, session_id: str, stream: str, start: float, end: float
) -> Iterator[tuple[float, np.ndarray | None]]:
    """(session seconds, the first person's world landmarks or None) per recorded frame."""
    for row in chunks.rows(storage, session_id, stream, start, end, columns=["ts", "pose"]):
        persons = orjson.loads(row["pose"]).get("persons") or []
        world = persons[0].get("world") if persons else None
        yield float(row["ts"]), (np.asarray(world, dtype=float)[:NUM_LANDMARKS] if world else None)


def steps_from_poses(
    poses: Iterable[tuple[float, np.ndarray | None]], limits: RobotLimits, start: float, end: float
) -> list[BehaviourStep]:
    """The timed commands (seconds after `start`) the pose mapping makes of these frames."""
    driver = PoseDriver(limits)
    steps: list[BehaviourStep] = []
    sent_at = -1.0  # session seconds of the last drive the live sink would have sent
    kept: tuple[tuple[float, float, float], float] | None = None  # last move kept, its t
    for ts, world in poses:
        t = round(ts - start, 4)
        gesture = driver.gesture(world, ts)
        velocity = driver.update(world, ts)
        if gesture is not None:
            steps.append(BehaviourStep(t=t, command=ActionCommand(kind="action", name=gesture)))
        if velocity is None or (sent_at >= 0 and ts - sent_at < 1.0 / MAX_HZ - 1e-6):
            continue
        sent_at = ts
        if kept is not None and kept[0] == velocity and t - kept[1] < REPEAT_S - 1e-6:
            continue
        kept = (velocity, t)
        x, y, z = velocity
        steps.append(BehaviourStep(t=t, command=MoveCommand(kind="move", x=x, y=y, z=z)))
        if len(steps) > MAX_STEPS:
            raise BadRequest(
                f"the span makes more than {MAX_STEPS} steps: pick a shorter one",
                details={"field": "to", "max_steps": MAX_STEPS},
            )
    if not any(step.command.kind == "move" for step in steps):
        raise BadRequest(
            "nobody is in view long enough in this span to set the neutral stance",
            details={"field": "from", "reason": "no_pose"},
        )
    steps.append(BehaviourStep(t=round(end - start, 4), command=StopCommand(kind="stop")))
    return steps
