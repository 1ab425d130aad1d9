"""Shared once per session: the nets converted from the mediapipe wheel, the real video,
and MediaPipe's own answers on it (static and tracking)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest
import torch

from posestudio.client.sources import read_frames, test_video_path
from posestudio.engines.blazepose.graph import Pipeline
from posestudio.engines.blazepose.modules import OpGraph, detector_net, landmark_net

VISIBLE = 0.5


@dataclass(frozen=True)
class Nets:
    detector: OpGraph
    landmark: OpGraph


@pytest.fixture(scope="session", autouse=True)
def one_torch_thread() -> None:
    """One intra-op thread: on shared cores torch's spinning threads cost ~10x (measured)."""
    torch.set_num_threads(1)


@pytest.fixture(scope="session")
def nets() -> Nets:
    return Nets(detector_net(), landmark_net())


@pytest.fixture(scope="session", params=["torch", "onnxruntime"])
def pipeline(nets: Nets, request: pytest.FixtureRequest) -> Pipeline:
    """The pipeline with its nets run by torch, and by onnxruntime (the CPU's default)."""
    if request.param == "torch":
        return Pipeline(nets.detector, nets.landmark, torch.device("cpu"), torch.float32)
    from posestudio.engines.blazepose.modules import DETECTOR_OUTPUTS, LANDMARK_OUTPUTS
    from posestudio.engines.blazepose.ortnet import OrtNet

    return Pipeline(
        OrtNet(nets.detector, 224, DETECTOR_OUTPUTS, threads=1),
        OrtNet(nets.landmark, 256, LANDMARK_OUTPUTS, threads=1),
        torch.device("cpu"),
        torch.float32,
    )


@pytest.fixture(scope="session")
def video() -> list[np.ndarray]:
    """carphone_pristine.mp4 at its own 176x144: 120 frames of a real person."""
    return list(read_frames(test_video_path()))


def mediapipe_landmarks(frames: list[np.ndarray], *, static: bool) -> list[np.ndarray | None]:
    """(33, 3) x, y, visibility per frame from `mp.solutions.pose`, None where it found none."""
    from mediapipe.python.solutions import pose as mp_pose

    out: list[np.ndarray | None] = []
    with mp_pose.Pose(static_image_mode=static, model_complexity=1, smooth_landmarks=True) as graph:
        for rgb in frames:
            found = graph.process(rgb).pose_landmarks
            out.append(
                None
                if found is None
                else np.array([(lm.x, lm.y, lm.visibility) for lm in found.landmark])
            )
    return out


STATIC_FRAMES = 12
TRACK_FRAMES = 60  # half the video: one detection, then the landmarks steer the ROI


@pytest.fixture(scope="session")
def mediapipe_static(video: list[np.ndarray]) -> list[np.ndarray | None]:
    return mediapipe_landmarks(video[:: len(video) // STATIC_FRAMES], static=True)


@pytest.fixture(scope="session")
def mediapipe_tracking(video: list[np.ndarray]) -> list[np.ndarray | None]:
    return mediapipe_landmarks(video[:TRACK_FRAMES], static=False)


def error_percent(ours: np.ndarray, ref: np.ndarray, width: int, height: int) -> np.ndarray:
    """Distance of the visible landmarks, in % of the image diagonal."""
    visible = ref[:, 2] > VISIBLE
    dx = (ours[:, 0] - ref[:, 0]) * width
    dy = (ours[:, 1] - ref[:, 1]) * height
    out: np.ndarray = (np.hypot(dx, dy) / np.hypot(width, height) * 100)[visible]
    return out
