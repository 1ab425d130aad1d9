"""The real video's world landmarks, found once per session by MediaPipe."""

from __future__ import annotations

import numpy as np
import pytest
import simplejpeg

from posestudio.engines.mediapipe import MediaPipePoseEngine
from tests.utils.frames import video_jpegs


@pytest.fixture(scope="session")
def video_world() -> np.ndarray:
    """(120, 33, 5) world landmarks of carphone_pristine.mp4: a seated person talking."""
    engine = MediaPipePoseEngine()
    try:
        frames = []
        for jpeg in video_jpegs(640, 480):
            (person,) = engine.process(simplejpeg.decode_jpeg(jpeg, colorspace="RGB"))
            frames.append(person.world)
    finally:
        engine.close()
    return np.stack(frames)


@pytest.fixture(scope="session")
def video_times() -> np.ndarray:
    """The video's frame times in seconds (29.97 fps)."""
    return np.arange(120) / 29.97
