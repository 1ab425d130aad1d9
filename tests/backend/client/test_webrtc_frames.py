"""The reference WebRTC client hands its encoder YUV 4:2:0 it converted itself."""

from __future__ import annotations

import numpy as np

from posestudio.client.webrtc import video_frame
from tests.utils.frames import video_jpegs


def _rgb(width: int, height: int) -> np.ndarray:
    import cv2

    bgr = cv2.imdecode(np.frombuffer(video_jpegs(width, height)[0], np.uint8), cv2.IMREAD_COLOR)
    return np.ascontiguousarray(bgr[:, :, ::-1])


def test_an_even_frame_goes_to_the_encoder_as_i420_with_the_same_picture() -> None:
    rgb = _rgb(640, 480)
    frame = video_frame(rgb)
    assert frame.format.name == "yuv420p"  # so aiortc's encoder does not reformat it
    assert (frame.width, frame.height) == (640, 480)
    # The same picture as PyAV's own conversion gives (4:2:0 loses some chroma).
    back = frame.to_ndarray(format="rgb24").astype(int)
    assert np.abs(back - rgb).mean() < 3.0


def test_a_frame_with_an_odd_side_stays_rgb() -> None:
    rgb = _rgb(641, 480)
    frame = video_frame(rgb)
    assert frame.format.name == "rgb24"
    assert (frame.width, frame.height) == (641, 480)
