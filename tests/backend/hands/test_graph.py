"""MediaPipe's hand landmarks on the crops the pose gives, on real frames with a hand."""

from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np

from posestudio.engines.mediapipe import MediaPipePoseEngine
from posestudio.hands.graph import NUM_HAND_LANDMARKS, HandGraph
from tests.utils.hands import hand_frames
from tests.utils.server import wait_until

RIGHT_WRIST = 16


def test_the_right_hand_is_found_with_21_landmarks_inside_the_image() -> None:
    engine, graph = MediaPipePoseEngine(), HandGraph()
    found, costs = [], []
    try:
        for i, rgb in enumerate(hand_frames()):
            persons = engine.process(rgb)
            if not persons:
                continue
            person = persons[0]
            began = time.perf_counter()
            hands = graph.process(rgb, person.landmarks, i * 40.0)
            costs.append(time.perf_counter() - began)
            for hand in hands:
                assert hand.landmarks.shape == (NUM_HAND_LANDMARKS, 4)
                xy = hand.landmarks[:, :2]
                assert ((xy >= 0) & (xy <= 1)).all(), "every landmark inside the image"
                found.append((hand.side, hand.landmarks, person.landmarks))
    finally:
        graph.close()
        engine.close()
    print(f"hands: {len(found)} in {len(costs)} frames, {np.median(costs) * 1000:.1f} ms median")
    assert len(found) >= 5
    for side, hand, pose in found:
        # The person's right hand (on the image's left), where the pose has its wrist.
        assert side == "right"
        assert np.linalg.norm(hand[0, :2] - pose[RIGHT_WRIST, :2]) < 0.1
        spread = hand[:, :2].max(axis=0) - hand[:, :2].min(axis=0)
        assert (spread > 0.03).all(), "a hand, not a collapsed point"


def test_no_hand_where_the_pose_sees_none() -> None:
    # The carphone video: the seated person's hands are below the frame.
    from posestudio.client.sources import read_frames, test_video_path

    engine, graph = MediaPipePoseEngine(), HandGraph()
    try:
        for i, rgb in enumerate(read_frames(test_video_path(), limit=30)):
            persons = engine.process(rgb)
            if persons:
                assert graph.process(rgb, persons[0].landmarks, i * 33.0) == []
    finally:
        graph.close()
        engine.close()


def _mediapipe_threads() -> int:
    tasks = Path(f"/proc/{os.getpid()}/task")
    return sum((t / "comm").read_text().startswith("mediapipe") for t in tasks.iterdir())


def test_a_closed_graph_leaves_no_thread_behind() -> None:
    rgb = hand_frames()[0]
    pose = np.zeros((33, 5), dtype=np.float32)
    pose[:, :2], pose[:, 3:] = 0.5, 0.9
    before = _mediapipe_threads()
    for i in range(3):
        graph = HandGraph()
        graph.process(rgb, pose, float(i))
        graph.close()
        graph.close()  # twice is harmless
    # A closed graph's threads end on their own, just after `close` returns: a leak
    # keeps one for good (the wait fails), an ending one only until it has exited.
    wait_until(lambda: _mediapipe_threads() <= before, timeout=10)
    assert _mediapipe_threads() <= before
