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
    h, w = image.shape[:2]
    device = image.device
    m = torch.as_tensor(inverse, dtype=torch.float64, device=device)
    coords = torch.arange(size, dtype=torch.float64, device=device)
    ys, xs = torch.meshgrid(coords, coords, indexing="ij")
    den = m[2, 0] * xs + m[2, 1] * ys + m[2, 2]
    scale = torch.where(den != 0, TAB / den, torch.zeros_like(den))
    fx = torch.round((m[0, 0] * xs + m[0, 1] * ys + m[0, 2]) * scale).to(torch.int64)
    fy = torch.round((m[1, 0] * xs + m[1, 1] * ys + m[1, 2]) * scale).to(torch.int64)
    x0, y0 = fx >> 5, fy >> 5
    ax, ay = fx & (TAB - 1), fy & (TAB - 1)
    # Gathered as uint8 and widened per tap: the crop's pixels, not the whole image's.
    flat = image.reshape(h * w, 3)
    total = torch.zeros((size, size, 3), dtype=torch.int32, device=device)
    for dy, wy in ((0, TAB - ay), (1, ay)):
        for dx, wx in ((0, TAB - ax), (1, ax)):
            xi, yi = x0 + dx, y0 + dy
            if replicate:
                idx = yi.clamp(0, h - 1) * w + xi.clamp(0, w - 1)
                tap = flat[idx].to(torch.int32)
            else:
                inside = (xi >= 0) & (xi < w) & (yi >= 0) & (yi < h)
                idx = yi.clamp(0, h - 1) * w + xi.clamp(0, w - 1)
                tap = flat[idx].to(torch.int32) * inside[..., None].to(torch.int32)
            total += tap * (wx * wy)[..., None].to(torch.int32)
    # weights sum to 32*32; OpenCV scales them to 1 << 15 and rounds with 1 << 14
    return ((total * 32 + (1 << 14)) >> 15).to(torch.uint8)
