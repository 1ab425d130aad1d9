"""The body stages and their factories: only streams that ask for them get them.

`kinematics: true` gives a stream a `StreamKinematics` (the solver's `KinematicsStage`,
counting its clamps into `BodyStats`); `hands: true` a `HandsStage`. A stream without
them has no stage at all, so it pays nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from posestudio.body.stats import BodyStats
from posestudio.body.store import CalibrationStore
from posestudio.kinematics.skeleton import NUM_BONES
from posestudio.kinematics.stage import KinematicsStage, R

if TYPE_CHECKING:
    from posestudio.pipeline.stages import Stage, StageFactory
    from posestudio.pipeline.stream import Stream
    from posestudio.settings import Settings


class StreamKinematics(KinematicsStage):
    """The kinematics stage of one stream; its clamps go to the server's counters.

    With a store, the owner's stored calibration is loaded on the first frame (in the
    worker thread: the event loop never waits for the database) and an accepted
    calibration is saved as theirs (`body.calibrate`).
    """

    def __init__(
        self,
        stats: BodyStats,
        calibration_s: float = 2.0,
        *,
        store: CalibrationStore | None = None,
        subject: str = "",
    ) -> None:
        super().__init__(calibration_s=calibration_s)
        self.store = store
        self.subject = subject
        self._stats = stats
        self._counted = np.zeros(NUM_BONES, dtype=np.int64)
        self._loaded = store is None

    def __call__(self, result: R) -> R:
        if not self._loaded:
            self._loaded = True
            assert self.store is not None
            stored = self.store.load(self.subject)
            if stored is not None:
                self.tracker.calibrate(stored)
        result = super().__call__(result)
        clamps = self.tracker.clamps
        if not np.array_equal(clamps, self._counted):
            self._stats.add_clamps(clamps - self._counted)
            self._counted = clamps.copy()
        return result


def kinematics_of(stream: Stream) -> StreamKinematics | None:
    """The stream's kinematics stage (None: not started with `kinematics`)."""
    return next((s for s in stream.stages if isinstance(s, StreamKinematics)), None)


def body_stages(
    settings: Settings, stats: BodyStats, store: CalibrationStore | None = None
) -> tuple[StageFactory, ...]:
    """The factories, in the order the stages run (after smoothing). With a store (the
    accounts' database), people's calibrations are kept across streams."""

    def kinematics(stream: Stream) -> Stage | None:
        if not stream.options.kinematics:
            return None
        return StreamKinematics(
            stats, settings.calibration_seconds, store=store, subject=stream.owner.subject
        )

    def hands(stream: Stream) -> Stage | None:
        if not stream.options.hands:
            return None
        from posestudio.hands.stage import HandsStage  # mediapipe's graph, only when asked

        return HandsStage(stats)

    return (hands, kinematics)
