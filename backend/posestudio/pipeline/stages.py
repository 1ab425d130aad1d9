"""Stages: ordered steps after inference, in the worker thread (smoothing; kinematics next).

A `StageFactory` decides per stream (from its start options) whether its stage runs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from posestudio.protocol import Person, SmoothingConfig
from posestudio.smoothing import PoseSmoother

if TYPE_CHECKING:
    from posestudio.pipeline.results import PoseResult
    from posestudio.pipeline.stream import Stream


class Stage(Protocol):
    name: str
    needs_pixels: bool
    """Whether the stage reads the decoded image on the CPU (`PoseResult.rgb`): a batch
    decoded on the engine's device leaves that stream's frames to the CPU decoder."""

    def __call__(self, result: PoseResult) -> PoseResult: ...


StageFactory = Callable[["Stream"], "Stage | None"]
"""Builds a stream's stage, or None when the stream's options leave it off."""


class SmoothingStage:
    """One-Euro smoothing of the first person; reset when nobody is in view."""

    name = "smoothing"
    needs_pixels = False

    def __init__(self, config: SmoothingConfig) -> None:
        self._smoother = PoseSmoother(config)

    def __call__(self, result: PoseResult) -> PoseResult:
        if not result.persons:
            self._smoother.reset()
            return result
        first = result.persons[0]
        landmarks, world = self._smoother(first.landmarks, first.world, result.received)
        result.raw = result.persons
        result.persons = [
            Person(score=first.score, landmarks=landmarks, world=world),
            *result.persons[1:],
        ]
        return result


def smoothing_stage(stream: Stream) -> Stage | None:
    config = stream.options.smoothing_config()
    return SmoothingStage(config) if config is not None else None


BUILTIN_STAGES: tuple[StageFactory, ...] = (smoothing_stage,)
