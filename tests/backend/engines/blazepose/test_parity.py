"""The pipeline against MediaPipe's own `mp.solutions.pose` on the real video."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from posestudio.engines.blazepose.crop import Rect
from posestudio.engines.blazepose.graph import Pipeline, Settings, Track
from tests.backend.engines.blazepose.conftest import (
    STATIC_FRAMES,
    TRACK_FRAMES,
    error_percent,
)


def test_static_mode_matches_mediapipe_on_every_frame(
    pipeline: Pipeline, video: list[np.ndarray], mediapipe_static: list[np.ndarray | None]
) -> None:
    frames = video[:: len(video) // STATIC_FRAMES]
    settings = Settings(static_image_mode=True)
    errors = []
    for rgb, ref in zip(frames, mediapipe_static, strict=True):
        (ours,) = pipeline.run([(Track(), torch.from_numpy(rgb))], settings)
        assert (ours is None) == (ref is None)
        if ours is not None and ref is not None:
            error = error_percent(ours.landmarks, ref, rgb.shape[1], rgb.shape[0])
            assert error.max() < 0.5
            errors.append(error)
    assert np.median(np.concatenate(errors)) <= 0.2


def test_tracking_matches_mediapipe_over_the_video(
    pipeline: Pipeline, video: list[np.ndarray], mediapipe_tracking: list[np.ndarray | None]
) -> None:
    track = Track()
    settings = Settings()
    errors = []
    detections = 0
    for rgb, ref in zip(video[:TRACK_FRAMES], mediapipe_tracking, strict=True):
        detections += track.roi is None
        (ours,) = pipeline.run([(track, torch.from_numpy(rgb))], settings)
        assert (ours is None) == (ref is None)  # a person on the same frames
        if ours is not None and ref is not None:
            errors.append(error_percent(ours.landmarks, ref, rgb.shape[1], rgb.shape[0]))
    error = np.concatenate(errors)
    # measured: median 0.18 %, p95 0.47 % of the diagonal (docs/blazepose.md)
    assert np.median(error) <= 0.7
    assert np.percentile(error, 95) <= 2.0
    assert detections == 1  # detected once, then tracked from its own landmarks


@pytest.mark.parametrize("net_batch", [0, 2])
def test_a_batch_of_streams_equals_each_stream_alone(
    pipeline: Pipeline, video: list[np.ndarray], net_batch: int
) -> None:
    """Three streams at different points of the video, batched (the nets in one call, or
    in calls of two), as if each ran alone on the same nets."""
    batched = Pipeline(
        pipeline.detector,
        pipeline.landmark,
        torch.device("cpu"),
        torch.float32,
        net_batch=net_batch,
    )
    starts = [0, 40, 80]
    alone = [Track() for _ in starts]
    together = [Track() for _ in starts]
    settings = Settings()
    blank = np.zeros_like(video[0])
    for step in range(3):
        frames = [video[s + step] for s in starts]
        frames[2] = blank if step == 1 else frames[2]  # one stream loses its person
        single = [
            pipeline.run([(t, torch.from_numpy(f))], settings)[0]
            for t, f in zip(alone, frames, strict=True)
        ]
        batch = batched.run(
            [(t, torch.from_numpy(f)) for t, f in zip(together, frames, strict=True)], settings
        )
        for one, many in zip(single, batch, strict=True):
            assert (one is None) == (many is None)
            if one is not None and many is not None:
                np.testing.assert_allclose(one.landmarks, many.landmarks, atol=1e-4)
    assert together[2].roi is not None  # found again after the blank frame


def test_the_roi_from_detection_matches_mediapipes_own(
    pipeline: Pipeline, video: list[np.ndarray]
) -> None:
    """MediaPipe's graph also outputs the ROI it built from the detection: within 1 px."""
    from mediapipe.python.solution_base import SolutionBase
    from mediapipe.python.solutions import pose as mp_pose

    graph = SolutionBase(
        binary_graph_path=mp_pose._BINARYPB_FILE_PATH,
        side_inputs={
            "model_complexity": 1,
            "smooth_landmarks": False,
            "enable_segmentation": False,
            "smooth_segmentation": False,
            "use_prev_landmarks": False,
        },
        outputs=["pose_landmarks", "pose_rect_from_detection"],
    )
    try:
        for rgb in video[::40]:
            result = graph.process(rgb)
            ref = result.pose_rect_from_detection
            (ours,) = pipeline.detect([torch.from_numpy(rgb)], 0.5)
            assert ours is not None and ref is not None
            h, w = rgb.shape[:2]
            assert abs(ours.x - ref.x_center) * w < 1 and abs(ours.y - ref.y_center) * h < 1
            assert abs(ours.width - ref.width) * w < 1 and abs(ours.height - ref.height) * h < 1
            assert abs(ours.rotation - ref.rotation) < 1e-3
            # landmarks given MediaPipe's own ROI: within 0.5 % of the diagonal
            given = Rect(ref.x_center, ref.y_center, ref.width, ref.height, ref.rotation)
            ((_, landmarks, _),) = pipeline.landmarks([torch.from_numpy(rgb)], [given])
            found = result.pose_landmarks
            expected = np.array([(lm.x, lm.y, lm.visibility) for lm in found.landmark])
            assert error_percent(landmarks[:33], expected, w, h).max() < 0.5
    finally:
        graph.close()
