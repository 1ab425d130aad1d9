"""Crops as MediaPipe's CPU path makes them: OpenCV's fixed-point uint8 bilinear warp, in torch.

MediaPipe's `ImageToTensorCalculator` maps a rotated rectangle onto the model's input with
`cv::warpPerspective(INTER_LINEAR)` on the uint8 image: each source coordinate is rounded to
1/32 of a pixel and the four taps are weighted in integers, then `convertTo` scales to the
model's range. A float `grid_sample` differs by up to 3/255 a pixel and moves landmarks by
about 2 px, so this reproduces the integer arithmetic exactly. The 3x3 matrices come from
OpenCV itself (`boxPoints`, `getPerspectiveTransform`, `invert`), as MediaPipe computes them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np
import torch

TAB = 32  # OpenCV's INTER_TAB_SIZE


@dataclass(frozen=True)
class Rect:
    """A rotated rectangle in normalised image coordinates (MediaPipe's NormalizedRect)."""

    x: float
    y: float
    width: float
    height: float
    rotation: float


def inverse_map(rect: Rect, image_w: int, image_h: int, size: int) -> np.ndarray:
    """The output->source matrix `warpPerspective` uses for `rect` cropped to size x size."""
    center = (rect.x * image_w, rect.y * image_h)
    box = (rect.width * image_w, rect.height * image_h)
    src = cv2.boxPoints((center, box, rect.rotation * 180.0 / math.pi)).astype(np.float32)
    dst = np.array([[0, size], [0, 0], [size, 0], [size, size]], dtype=np.float32)
    forward = cv2.getPerspectiveTransform(src, dst)
    _, inverse = cv2.invert(forward)
    return np.asarray(inverse, dtype=np.float64)


def letterbox_rect(image_w: int, image_h: int) -> tuple[Rect, tuple[float, float]]:
    """The whole image padded square (the detector's input) and its (x, y) padding fraction."""
    side = max(image_w, image_h)
    pad_x = (1.0 - image_w / side) / 2.0
    pad_y = (1.0 - image_h / side) / 2.0
    return Rect(0.5, 0.5, side / image_w, side / image_h, 0.0), (pad_x, pad_y)


def warp(image: torch.Tensor, inverse: np.ndarray, size: int, replicate: bool) -> torch.Tensor:
    """(H, W, 3) uint8 -> (size, size, 3) uint8, bit-exact with OpenCV's INTER_LINEAR warp."""
    return warp_batch([image], [inverse], size, replicate)[0]


def warp_batch(
    images: list[torch.Tensor], inverses: list[np.ndarray], size: int, replicate: bool
) -> torch.Tensor:
    """Each (H_i, W_i, 3) uint8 image through its output->source matrix -> (B, size, size,
    3) uint8: OpenCV itself for images in CPU memory (what MediaPipe's CPU path runs, and
    several times faster than the tensor version there), `warp_tensors` on a device."""
    if images[0].device.type != "cpu":
        return warp_tensors(images, inverses, size, replicate)
    border = cv2.BORDER_REPLICATE if replicate else cv2.BORDER_CONSTANT
    crops = [
        cv2.warpPerspective(
            np.ascontiguousarray(image.numpy()),
            inverse,
            (size, size),
            flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
            borderMode=border,
        )
        for image, inverse in zip(images, inverses, strict=True)
    ]
    return torch.from_numpy(np.stack(crops))


def warp_tensors(
    images: list[torch.Tensor], inverses: list[np.ndarray], size: int, replicate: bool
) -> torch.Tensor:
    """OpenCV's fixed-point warp in tensor operations, each crop bit-exact with OpenCV's
    warp of that image alone (tested on the CPU against OpenCV; the GPU's path).

    One set of operations for the whole batch, whatever the images' sizes: on a GPU the
    crops cost a few dozen kernel launches per batch, not per stream. The images are
    gathered from one flat buffer (a copy of the batch's pixels when there are several)."""
    device = images[0].device
    m = torch.as_tensor(np.stack(inverses), dtype=torch.float64, device=device)
    coords = torch.arange(size, dtype=torch.float64, device=device)
    ys, xs = torch.meshgrid(coords, coords, indexing="ij")

    def row(i: int) -> torch.Tensor:  # (B, size, size), in the single-image order
        return m[:, i, 0, None, None] * xs + m[:, i, 1, None, None] * ys + m[:, i, 2, None, None]

    den = row(2)
    scale = torch.where(den != 0, TAB / den, torch.zeros_like(den))
    fx = torch.round(row(0) * scale).to(torch.int64)
    fy = torch.round(row(1) * scale).to(torch.int64)
    x0, y0 = fx >> 5, fy >> 5
    ax, ay = fx & (TAB - 1), fy & (TAB - 1)
    shapes = [(int(image.shape[0]), int(image.shape[1])) for image in images]
    hs = torch.tensor([h for h, _ in shapes], dtype=torch.int64, device=device)[:, None, None]
    ws = torch.tensor([w for _, w in shapes], dtype=torch.int64, device=device)[:, None, None]
    starts = np.cumsum([0] + [h * w for h, w in shapes[:-1]])
    offsets = torch.as_tensor(starts, dtype=torch.int64, device=device)[:, None, None]
    flat = (
        images[0].reshape(-1, 3)
        if len(images) == 1
        else torch.cat([image.reshape(-1, 3) for image in images])
    )
    zero = torch.zeros((), dtype=torch.int64, device=device)
    total = torch.zeros((len(images), size, size, 3), dtype=torch.int32, device=device)
    # Gathered as uint8 and widened per tap: the crop's pixels, not the whole images'.
    for dy, wy in ((0, TAB - ay), (1, ay)):
        for dx, wx in ((0, TAB - ax), (1, ax)):
            xi, yi = x0 + dx, y0 + dy
            idx = offsets + torch.clamp(yi, zero, hs - 1) * ws + torch.clamp(xi, zero, ws - 1)
            tap = flat[idx].to(torch.int32)
            if not replicate:
                inside = (xi >= 0) & (xi < ws) & (yi >= 0) & (yi < hs)
                tap = tap * inside[..., None].to(torch.int32)
            total += tap * (wx * wy)[..., None].to(torch.int32)
    # weights sum to 32*32; OpenCV scales them to 1 << 15 and rounds with 1 << 14
    return ((total * 32 + (1 << 14)) >> 15).to(torch.uint8)
