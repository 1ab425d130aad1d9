"""The hands pipeline stage: `hands` on every pose of a stream started with `hands: true`.

Needs the decoded image (`PoseResult.rgb`). The graph is built on the first frame, in
the worker thread (loading the models costs tens of milliseconds; the event loop never
pays it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from posestudio.body.stats import BodyStats
from posestudio.hands.graph import Hand, HandGraph

if TYPE_CHECKING:
    from posestudio.pipeline.results import PoseResult

# The pose's wrist, pinky and index landmarks of each side (BlazePose's order).
POSE_HAND_POINTS = {"left": (15, 17, 19), "right": (16, 18, 20)}


def hand_to_wire(hand: Hand, pose: np.ndarray) -> dict[str, Any]:
    """`{side, score, landmarks: 21 x [x, y, z, visibility]}`; x, y to 4 decimals."""
    score = float(np.min(pose[list(POSE_HAND_POINTS[hand.side]), 3]))
    rows = np.round(hand.landmarks.astype(np.float64), 4).tolist()
    return {"side": hand.side, "score": round(score, 3), "landmarks": rows}


class HandsStage:
    name = "hands"
    needs_pixels = True

    def __init__(self, stats: BodyStats) -> None:
        self._stats = stats
        self.graph: HandGraph | None = None

    def __call__(self, result: PoseResult) -> PoseResult:
        if not result.persons or result.rgb is None:
            return result
        if self.graph is None:
            self.graph = HandGraph()
        pose = result.persons[0].landmarks
        hands = self.graph.process(result.rgb, pose, float(result.meta.capture_ts))
        for hand in hands:
            self._stats.add_hand(hand.side)
        result.extras["hands"] = [hand_to_wire(hand, pose) for hand in hands]
        return result

    def close(self) -> None:
        """Free the graph and its threads (the pipeline calls this when the stream ends)."""
        if self.graph is not None:
            self.graph.close()
            self.graph = None
