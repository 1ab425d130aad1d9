"""The skeleton's edges join BlazePose's landmarks the way a body is built."""

from __future__ import annotations

from posestudio.protocol import LANDMARK_INDEX, LANDMARK_NAMES, NUM_LANDMARKS, SKELETON_EDGES


def test_edges_join_distinct_landmarks_once() -> None:
    assert NUM_LANDMARKS == len(LANDMARK_NAMES) == 33
    for a, b in SKELETON_EDGES:
        assert 0 <= a < NUM_LANDMARKS and 0 <= b < NUM_LANDMARKS and a != b
    assert len({frozenset(edge) for edge in SKELETON_EDGES}) == len(SKELETON_EDGES)


def test_every_landmark_is_on_the_skeleton() -> None:
    joined = {i for edge in SKELETON_EDGES for i in edge}
    assert joined == set(range(NUM_LANDMARKS))


def test_the_limbs_run_shoulder_elbow_wrist_and_hip_knee_ankle() -> None:
    edges = {frozenset(edge) for edge in SKELETON_EDGES}
    limbs = [("shoulder", "elbow"), ("elbow", "wrist"), ("hip", "knee"), ("knee", "ankle")]
    for side in ("left", "right"):
        for a, b in limbs:
            edge = frozenset((LANDMARK_INDEX[f"{side}_{a}"], LANDMARK_INDEX[f"{side}_{b}"]))
            assert edge in edges, (side, a, b)
