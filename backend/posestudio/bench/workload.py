"""The frames every client sends: the real test video, upscaled and JPEG-encoded once."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Workload:
    """Pre-encoded JPEG frames; clients and the ceiling loop cycle through them."""

    frames: tuple[bytes, ...]
    size: tuple[int, int]
    quality: int
    source: str

    @property
    def mean_bytes(self) -> float:
        return sum(map(len, self.frames)) / len(self.frames)


def prepare_workload(
    *,
    size: tuple[int, int] = (1280, 720),
    quality: int = 70,
    source: str | Path | None = None,
    limit: int | None = None,
) -> Workload:
    """Read `source` (default: the packaged `carphone_pristine.mp4`), resize, encode."""
    from posestudio.client.sources import read_frames, test_video_path
    from posestudio.imaging import encode_jpeg

    path = Path(source) if source is not None else test_video_path()
    frames = tuple(encode_jpeg(rgb, quality) for rgb in read_frames(path, size=size, limit=limit))
    if not frames:
        raise ValueError(f"no frames could be read from {path}")
    return Workload(frames=frames, size=size, quality=quality, source=path.name)
