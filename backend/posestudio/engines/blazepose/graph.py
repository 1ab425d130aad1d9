"""BlazePose's pipeline as MediaPipe 0.10.21 runs it, batched across streams.

Per stream (`Track`): detect on the first frame and whenever tracking is lost; otherwise
take the ROI from the previous frame's (filtered) auxiliary landmarks. Per batch
(`Pipeline.run`): one detector call for the streams that need detection, one landmark call
for every stream with an ROI. Constants are those compiled into the wheel's subgraphs:
224x224 letterbox in [-1, 1], 2,254 SSD anchors, weighted NMS (IoU 0.3), ROI from keypoints
0->1 rotated to 90 degrees, scaled 1.25 with the long side square; a 256x256 crop in [0, 1]
with replicated border; 39 landmarks refined from the heatmap (kernel 7, confidence 0.5).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
import torch

from posestudio.engines.blazepose.crop import Rect, inverse_map, letterbox_rect, warp_batch
from posestudio.engines.blazepose.filters import (
    AUXILIARY,
    LANDMARKS,
    WORLD,
    LandmarkSmoother,
)

DETECTOR_SIZE = 224
LANDMARK_SIZE = 256
NUM_POSE = 33
ROI_SCALE = 1.25
NMS_IOU = 0.3
HEATMAP_KERNEL = 7
REFINE_MIN_CONFIDENCE = 0.5
FRAME_NS = 33_333_000  # mp.solutions steps its graph clock by 33,333 us a frame


def ssd_anchors() -> np.ndarray:
    """(2254, 2) anchor centres: 5 layers, strides 8, 16, 32, 32, 32, fixed size."""
    strides = [8, 16, 32, 32, 32]
    centres: list[tuple[float, float]] = []
    layer = 0
    while layer < len(strides):
        same = layer
        count = 0
        while same < len(strides) and strides[same] == strides[layer]:
            count += 2  # aspect ratio 1.0 and the interpolated scale
            same += 1
        size = math.ceil(DETECTOR_SIZE / strides[layer])
        for y in range(size):
            for x in range(size):
                centres.extend([((x + 0.5) / size, (y + 0.5) / size)] * count)
        layer = same
    return np.array(centres, dtype=np.float32)


def _normalize(angle: float) -> float:
    return angle - 2 * math.pi * math.floor((angle + math.pi) / (2 * math.pi))


def roi_from_points(
    centre: tuple[float, float], scale: tuple[float, float], image_w: int, image_h: int
) -> Rect:
    """AlignmentPointsRects (0 -> 1, target 90 degrees) then RectTransformation (1.25, square)."""
    x0, y0 = centre[0] * image_w, centre[1] * image_h
    x1, y1 = scale[0] * image_w, scale[1] * image_h
    box = math.hypot(x1 - x0, y1 - y0) * 2
    rotation = _normalize(math.pi / 2 - math.atan2(-(y1 - y0), x1 - x0))
    long_side = max(box, box)
    return Rect(
        x0 / image_w,
        y0 / image_h,
        long_side / image_w * ROI_SCALE,
        long_side / image_h * ROI_SCALE,
        rotation,
    )


def decode_detection(
    boxes: np.ndarray, scores: np.ndarray, anchors: np.ndarray, min_score: float
) -> np.ndarray | None:
    """The best pose after weighted NMS: (12,) box (cx, cy, w, h) and 4 keypoints, or None."""
    score = 1.0 / (1.0 + np.exp(-np.clip(scores[:, 0].astype(np.float64), -100, 100)))
    keep = np.nonzero(score >= min_score)[0]
    if keep.size == 0:
        return None
    raw = boxes[keep] / DETECTOR_SIZE
    raw[:, 0::2] += anchors[keep, 0:1]
    raw[:, 1::2] += anchors[keep, 1:2]
    raw[:, 2:4] -= anchors[keep]  # w and h are sizes, not offsets
    s = score[keep]
    cx, cy, w, h = raw[:, 0], raw[:, 1], raw[:, 2], raw[:, 3]
    xmin, ymin, xmax, ymax = cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2
    top = int(np.argmax(s))
    ix = np.clip(np.minimum(xmax, xmax[top]) - np.maximum(xmin, xmin[top]), 0, None)
    iy = np.clip(np.minimum(ymax, ymax[top]) - np.maximum(ymin, ymin[top]), 0, None)
    inter = ix * iy
    union = w * h + w[top] * h[top] - inter
    iou = np.where(union > 0, inter / np.where(union > 0, union, 1), 0)
    group = iou > NMS_IOU
    weights = s[group] / s[group].sum()
    corners = np.stack([xmin, ymin, xmax, ymax], axis=1)[group]
    bx0, by0, bx1, by1 = (corners * weights[:, None]).sum(axis=0)
    points = np.asarray((raw[group, 4:] * weights[:, None]).sum(axis=0), dtype=np.float64)
    box = np.array([(bx0 + bx1) / 2, (by0 + by1) / 2, bx1 - bx0, by1 - by0], dtype=np.float64)
    out: np.ndarray = np.concatenate([box, points])
    return out


@dataclass
class Track:
    """One stream's tracking state: the next ROI and its filters (outside the model)."""

    roi: Rect | None = None
    frames: int = 0
    landmarks: LandmarkSmoother = field(default_factory=lambda: LandmarkSmoother(LANDMARKS))
    auxiliary: LandmarkSmoother = field(default_factory=lambda: LandmarkSmoother(AUXILIARY))
    world: LandmarkSmoother = field(default_factory=lambda: LandmarkSmoother(WORLD))

    def lose(self) -> None:
        self.roi = None
        self.landmarks = LandmarkSmoother(LANDMARKS)
        self.auxiliary = LandmarkSmoother(AUXILIARY)
        self.world = LandmarkSmoother(WORLD)


@dataclass(frozen=True)
class PoseOutput:
    score: float
    landmarks: np.ndarray  # (33, 5) x, y normalised to the image, z, visibility, presence
    world: np.ndarray  # (33, 5) metres, hip-centred, visibility and presence copied
    roi: Rect


@dataclass(frozen=True)
class Settings:
    min_detection_confidence: float = 0.5
    min_tracking_confidence: float = 0.5
    smooth_landmarks: bool = True
    static_image_mode: bool = False


def refine_from_heatmap(landmarks: torch.Tensor, heatmap: torch.Tensor) -> torch.Tensor:
    """(B, 39, 5) crop-normalised landmarks refined by (B, 64, 64, 39) raw heatmaps."""
    hh, hw = heatmap.shape[1:3]
    conf = torch.sigmoid(heatmap.permute(0, 3, 1, 2))  # B, N, H, W
    col = torch.trunc(landmarks[..., 0] * hw).long()
    row = torch.trunc(landmarks[..., 1] * hh).long()
    inside = (col >= 0) & (col < hw) & (row >= 0) & (row < hh)
    off = (HEATMAP_KERNEL - 1) // 2
    cols = torch.arange(hw, device=heatmap.device)
    rows = torch.arange(hh, device=heatmap.device)
    cmask = (cols >= col[..., None] - off) & (cols <= col[..., None] + off)
    rmask = (rows >= row[..., None] - off) & (rows <= row[..., None] + off)
    window = conf * (rmask[..., :, None] & cmask[..., None, :]).to(conf.dtype)
    total = window.sum(dim=(2, 3))
    peak = window.amax(dim=(2, 3))
    wcol = (window.sum(dim=2) * cols.to(conf.dtype)).sum(dim=2)
    wrow = (window.sum(dim=3) * rows.to(conf.dtype)).sum(dim=2)
    ok = inside & (peak >= REFINE_MIN_CONFIDENCE) & (total > 0)
    safe = torch.where(total > 0, total, torch.ones_like(total))
    out = landmarks.clone()
    out[..., 0] = torch.where(ok, wcol / hw / safe, landmarks[..., 0])
    out[..., 1] = torch.where(ok, wrow / hh / safe, landmarks[..., 1])
    return out


def project(landmarks: np.ndarray, roi: Rect) -> np.ndarray:
    """Crop-normalised landmarks back into the image (LandmarkProjection)."""
    out = landmarks.copy()
    x, y = landmarks[:, 0] - 0.5, landmarks[:, 1] - 0.5
    c, s = math.cos(roi.rotation), math.sin(roi.rotation)
    out[:, 0] = (c * x - s * y) * roi.width + roi.x
    out[:, 1] = (s * x + c * y) * roi.height + roi.y
    out[:, 2] = landmarks[:, 2] * roi.width
    return out


class Net(Protocol):
    """A net as the pipeline runs it: `modules.OpGraph` (torch) or `ortnet.OrtNet`."""

    def __call__(self, x: torch.Tensor) -> list[torch.Tensor]: ...

    def to(self, *, device: torch.device, dtype: torch.dtype) -> Net: ...


class Pipeline:
    """The two nets on one device and dtype, run for a batch of (track, frame) pairs."""

    def __init__(
        self,
        detector: Net,
        landmark: Net,
        device: torch.device,
        dtype: torch.dtype,
        net_batch: int = 0,
    ) -> None:
        self.detector = detector.to(device=device, dtype=dtype)
        self.landmark = landmark.to(device=device, dtype=dtype)
        self.device = device
        self.dtype = dtype
        self.net_batch = net_batch
        """Images per net call (0: the whole batch in one)."""
        self.anchors = ssd_anchors()

    def _net(self, net: Net, crops: torch.Tensor, lo: float) -> list[torch.Tensor]:
        """(B, S, S, 3) uint8 crops scaled to [lo, 1] through `net` (in calls of at most
        `net_batch` images), outputs in float32."""
        batch = (crops.to(torch.float32) * ((1.0 - lo) / 255.0) + lo).to(self.dtype)
        step = self.net_batch or len(batch)
        with torch.inference_mode():
            parts = [net(batch[i : i + step]) for i in range(0, len(batch), step)]
        if len(parts) == 1:
            return [o.float() for o in parts[0]]
        return [torch.cat(outs).float() for outs in zip(*parts, strict=True)]

    def detect(self, frames: list[torch.Tensor], min_score: float) -> list[Rect | None]:
        inverses, pads = [], []
        for image in frames:
            h, w = image.shape[:2]
            rect, pad = letterbox_rect(w, h)
            inverses.append(inverse_map(rect, w, h, DETECTOR_SIZE))
            pads.append(pad)
        crops = warp_batch(frames, inverses, DETECTOR_SIZE, False)
        boxes, scores = (t.cpu().numpy() for t in self._net(self.detector, crops, -1.0))
        rois: list[Rect | None] = []
        for i, image in enumerate(frames):
            h, w = image.shape[:2]
            found = decode_detection(boxes[i], scores[i], self.anchors, min_score)
            if found is None:
                rois.append(None)
                continue
            px, py = pads[i]
            kp = found[4:].reshape(4, 2)
            kx = (kp[:, 0] - px) / (1 - 2 * px)
            ky = (kp[:, 1] - py) / (1 - 2 * py)
            rois.append(roi_from_points((kx[0], ky[0]), (kx[1], ky[1]), w, h))
        return rois

    def landmarks(
        self, frames: list[torch.Tensor], rois: list[Rect]
    ) -> list[tuple[float, np.ndarray, np.ndarray]]:
        """Per frame: pose flag, (39, 5) image landmarks (sigmoid scores), (39, 3) world."""
        inverses = [
            inverse_map(roi, int(image.shape[1]), int(image.shape[0]), LANDMARK_SIZE)
            for image, roi in zip(frames, rois, strict=True)
        ]
        crops = warp_batch(frames, inverses, LANDMARK_SIZE, True)
        raw, flag, heatmap, world = self._net(self.landmark, crops, 0.0)
        lms = raw.reshape(len(frames), -1, 5).clone()
        lms[..., :3] /= LANDMARK_SIZE
        lms[..., 3:] = torch.sigmoid(lms[..., 3:])
        lms = refine_from_heatmap(lms, heatmap)
        lm_np = lms.cpu().numpy().astype(np.float64)
        world_np = world.reshape(len(frames), -1, 3).cpu().numpy().astype(np.float64)
        flags = flag.reshape(-1).cpu().numpy()
        out = []
        for i, roi in enumerate(rois):
            projected = project(lm_np[i], roi)
            c, s = math.cos(roi.rotation), math.sin(roi.rotation)
            wx, wy = world_np[i, :, 0].copy(), world_np[i, :, 1].copy()
            world_np[i, :, 0] = c * wx - s * wy
            world_np[i, :, 1] = s * wx + c * wy
            out.append((float(flags[i]), projected, world_np[i]))
        return out

    def run(
        self, items: list[tuple[Track, torch.Tensor]], settings: Settings
    ) -> list[PoseOutput | None]:
        """One detector batch (tracks without an ROI), then one landmark batch."""
        for track, _ in items:
            track.frames += 1
            if settings.static_image_mode:
                track.roi = None
        need = [i for i, (track, _) in enumerate(items) if track.roi is None]
        if need:
            found = self.detect([items[i][1] for i in need], settings.min_detection_confidence)
            for i, roi in zip(need, found, strict=True):
                items[i][0].roi = roi
        ready = [i for i, (track, _) in enumerate(items) if track.roi is not None]
        results: list[PoseOutput | None] = [None] * len(items)
        if not ready:
            for track, _ in items:
                track.lose()
            return results
        rois = [items[i][0].roi for i in ready]
        outs = self.landmarks([items[i][1] for i in ready], [r for r in rois if r is not None])
        for i, roi, (flag, lms, world) in zip(ready, rois, outs, strict=True):
            track, image = items[i]
            assert roi is not None
            if flag <= settings.min_tracking_confidence:
                track.lose()
                continue
            results[i] = self._finish(track, image, roi, flag, lms, world, settings)
        for i, (track, _) in enumerate(items):
            if i not in ready:
                track.lose()
        return results

    def _finish(
        self,
        track: Track,
        image: torch.Tensor,
        roi: Rect,
        flag: float,
        lms: np.ndarray,
        world: np.ndarray,
        settings: Settings,
    ) -> PoseOutput:
        h, w = image.shape[:2]
        ns = track.frames * FRAME_NS
        scale = (roi.width * w + roi.height * h) / 2
        pose, aux = lms[:NUM_POSE], lms[NUM_POSE : NUM_POSE + 2]
        world5 = np.concatenate([world[:NUM_POSE], pose[:, 3:5]], axis=1)
        if settings.smooth_landmarks and not settings.static_image_mode:
            pose = track.landmarks.apply(ns, pose, w, h, scale)
            world5 = track.world.apply(ns, world5, w, h, scale)
            world5[:, 3:5] = pose[:, 3:5]
        aux = track.auxiliary.apply(ns, aux, w, h, scale)
        track.roi = roi_from_points(
            (float(aux[0, 0]), float(aux[0, 1])), (float(aux[1, 0]), float(aux[1, 1])), w, h
        )
        return PoseOutput(flag, pose.astype(np.float32), world5.astype(np.float32), roi)
