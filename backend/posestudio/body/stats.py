"""Body-model counters, added to from worker threads, read when Prometheus scrapes.

`pose_kinematics_clamps_total{group}`: bone rotations the anatomical limits changed, by
bone group; `pose_kinematics_calibrations_total{result}`: calibration verdicts
(accepted, refused); `pose_hands_found_total{side}`: hands found in the pose's crops.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from threading import Lock

import numpy as np
from prometheus_client.core import CounterMetricFamily, Metric
from prometheus_client.registry import Collector

from posestudio.kinematics.skeleton import BONES


def _both(*parts: str) -> tuple[str, ...]:
    return tuple(f"{side}{part}" for side in ("left", "right") for part in parts)


# Few labels: six groups, not 21 bones or two sides.
BONE_GROUPS: dict[str, tuple[str, ...]] = {
    "torso": ("hips", "spine", "chest"),
    "head": ("neck", "head"),
    "arms": _both("Shoulder", "UpperArm", "LowerArm"),
    "hands": _both("Hand"),
    "legs": _both("UpperLeg", "LowerLeg"),
    "feet": _both("Foot", "Toes"),
}
GROUP_OF_BONE: tuple[str, ...] = tuple(
    next(g for g, bones in BONE_GROUPS.items() if bone in bones) for bone in BONES
)


class BodyStats:
    """Shared by every stream's body stages; each update takes a lock (worker threads)."""

    def __init__(self) -> None:
        self._lock = Lock()
        self.clamps: Counter[str] = Counter({group: 0 for group in BONE_GROUPS})
        self.calibrations: Counter[str] = Counter({"accepted": 0, "refused": 0})
        self.hands: Counter[str] = Counter({"left": 0, "right": 0})

    def add_clamps(self, per_bone: np.ndarray) -> None:
        """Clamps per bone (in `BONES` order) since the last call."""
        with self._lock:
            for bone in np.flatnonzero(per_bone):
                self.clamps[GROUP_OF_BONE[bone]] += int(per_bone[bone])

    def add_calibration(self, accepted: bool) -> None:
        with self._lock:
            self.calibrations["accepted" if accepted else "refused"] += 1

    def add_hand(self, side: str) -> None:
        with self._lock:
            self.hands[side] += 1

    def snapshot(self) -> tuple[dict[str, int], dict[str, int], dict[str, int]]:
        with self._lock:
            return dict(self.clamps), dict(self.calibrations), dict(self.hands)


class BodyCollector(Collector):
    def __init__(self, stats: BodyStats) -> None:
        self._stats = stats

    def collect(self) -> Iterator[Metric]:
        clamps, calibrations, hands = self._stats.snapshot()
        family = CounterMetricFamily(
            "pose_kinematics_clamps",
            "Bone rotations the anatomical limits changed, by bone group",
            labels=["group"],
        )
        for group, n in clamps.items():
            family.add_metric([group], n)
        yield family
        family = CounterMetricFamily(
            "pose_kinematics_calibrations",
            "T-pose calibration verdicts, by result",
            labels=["result"],
        )
        for result, n in calibrations.items():
            family.add_metric([result], n)
        yield family
        family = CounterMetricFamily(
            "pose_hands_found", "Hands found in the crops the pose gives, by side", labels=["side"]
        )
        for side, n in hands.items():
            family.add_metric([side], n)
        yield family
