"""Skeletons for recorded streams that were not streamed with `kinematics`, so that the
replay's avatar works on every session: the stream's take is solved whole (bone lengths
constant over it, as for the BVH export; rotations filtered as live) and each recorded
pose with a person gets the `skeleton` it would have had live. A finished stream is
solved once (`Sessions.skeletons`, a `FinishedCache`); one still recording is solved over
the requested range only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from posestudio.errors import NotFound
from posestudio.kinematics.take import Take, solve_take
from posestudio.kinematics.wire import skeleton_wire
from posestudio.sessions.bvh import world_of
from posestudio.storage import Storage

# Solved streams kept in memory: (T, 21, 4) float rotations, about 700 KB per minute at 15 FPS.
KEPT_STREAMS = 8


@dataclass(frozen=True)
class SolvedStream:
    times: np.ndarray  # (T,) session seconds of the solved frames, ascending
    take: Take

    def at(self, ts: float) -> dict[str, Any] | None:
        """The wire `skeleton` of the frame recorded at `ts`, if it was solved."""
        i = int(np.searchsorted(self.times, ts))
        if i >= len(self.times) or self.times[i] != ts:
            return None
        take = self.take
        return skeleton_wire(take.rotations[i], take.root[i], take.scale, calibrated=False)


def solve_stream(
    storage: Storage, session_id: str, key: str, start: float = 0.0, end: float | None = None
) -> SolvedStream | None:
    """The stream's take in [start, end] (None when nobody was ever in view there)."""
    try:
        world, times = world_of(storage, session_id, key, start, end)
    except NotFound:
        return None
    return SolvedStream(times, solve_take(world, times))
