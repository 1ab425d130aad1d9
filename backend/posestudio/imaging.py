"""JPEG validation and decode with libjpeg-turbo (simplejpeg). Runs in worker threads."""

from __future__ import annotations

import numpy as np
import simplejpeg

from posestudio.errors import BadFrame, FrameTooLarge


def jpeg_size(data: bytes) -> tuple[int, int]:
    """(width, height) from the JPEG header alone; `BadFrame` if it is no JPEG."""
    try:
        height, width, _colorspace, _subsampling = simplejpeg.decode_jpeg_header(data)
    except ValueError as exc:
        raise BadFrame(f"payload is not a JPEG image: {exc}") from exc
    return int(width), int(height)


def decode_jpeg(data: bytes, *, max_width: int, max_height: int) -> np.ndarray:
    """Decode to RGB uint8 (H, W, 3) after checking the dimensions in the header.

    `strict=True` turns libjpeg's warnings (a truncated or corrupt stream) into errors,
    so a damaged frame is refused rather than inferred on grey filler.
    """
    width, height = jpeg_size(data)
    if width > max_width or height > max_height:
        raise FrameTooLarge(
            f"frame is {width}x{height}, the limit is {max_width}x{max_height}",
            details={"width": width, "height": height},
        )
    try:
        rgb: np.ndarray = simplejpeg.decode_jpeg(data, colorspace="RGB", strict=True)
        return rgb
    except ValueError as exc:
        raise BadFrame(f"corrupt or truncated JPEG: {exc}") from exc


def encode_jpeg(rgb: np.ndarray, quality: int = 70) -> bytes:
    """RGB uint8 (H, W, 3) to JPEG (the clients' frames; the recorder, for frames that
    came as video)."""
    return bytes(
        simplejpeg.encode_jpeg(np.ascontiguousarray(rgb), quality=quality, colorspace="RGB")
    )
