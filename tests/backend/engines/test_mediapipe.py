from __future__ import annotations

import numpy as np
import pytest
import simplejpeg

from posestudio.engines.mediapipe import MediaPipeConfig, MediaPipePoseEngine
from posestudio.errors import EngineUnavailable
from posestudio.protocol import NUM_LANDMARKS
from tests.utils.frames import video_jpegs


@pytest.mark.parametrize("complexity", [0, 2])
def test_models_not_in_the_wheel_are_refused_clearly(complexity: int) -> None:
    with pytest.raises(EngineUnavailable, match="would be downloaded"):
        MediaPipePoseEngine(MediaPipeConfig(model_complexity=complexity))


def test_finds_one_person_with_33_landmarks_in_the_real_video() -> None:
    engine = MediaPipePoseEngine()
    try:
        rgb = simplejpeg.decode_jpeg(video_jpegs(640, 480)[0], colorspace="RGB")
        (person,) = engine.process(rgb)
        assert person.landmarks.shape == (NUM_LANDMARKS, 5)
        assert person.world.shape == (NUM_LANDMARKS, 5)
        # World landmarks are hip-centred metres: the hips' midpoint is near 0.
        hips = person.world[[23, 24], :3].mean(axis=0)
        assert np.abs(hips).max() < 0.1
        assert 0 < person.score <= 1
        assert engine.process(np.zeros((480, 640, 3), dtype=np.uint8)) == []
    finally:
        engine.close()
