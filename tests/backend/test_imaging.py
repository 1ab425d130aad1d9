from __future__ import annotations

import pytest

from posestudio.errors import BadFrame, FrameTooLarge
from posestudio.imaging import decode_jpeg, jpeg_size
from tests.utils.frames import video_jpegs


def test_decodes_a_real_frame_to_rgb() -> None:
    rgb = decode_jpeg(video_jpegs(640, 480)[0], max_width=1920, max_height=1080)
    assert rgb.shape == (480, 640, 3)
    assert rgb.dtype.name == "uint8"


def test_reads_the_size_from_the_header() -> None:
    assert jpeg_size(video_jpegs(1280, 720)[0]) == (1280, 720)


@pytest.mark.parametrize("data", [b"", b"hello", b"\x89PNG\r\n\x1a\n" + b"0" * 100])
def test_refuses_what_is_not_a_jpeg(data: bytes) -> None:
    with pytest.raises(BadFrame):
        decode_jpeg(data, max_width=1920, max_height=1080)


def test_refuses_a_truncated_jpeg() -> None:
    jpeg = video_jpegs(640, 480)[0]
    with pytest.raises(BadFrame, match=r"truncated|corrupt"):
        decode_jpeg(jpeg[: len(jpeg) * 2 // 3], max_width=1920, max_height=1080)


def test_refuses_dimensions_over_the_limit_before_decoding() -> None:
    with pytest.raises(FrameTooLarge) as error:
        decode_jpeg(video_jpegs(1280, 720)[0], max_width=640, max_height=1080)
    assert error.value.details == {"width": 1280, "height": 720}
