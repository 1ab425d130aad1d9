"""The `blazepose` engine: BlazePose full in torch on MediaPipe's own weights, batched.

Each stream's tracking state is a `graph.Track`; `infer_batch` runs one detector batch and
one landmark batch for all the streams the `BatchScheduler` hands it. On CUDA the nets run
in float16 (a setting) and, with `jpeg_on_gpu`, `decode_jpegs` decodes a batch of JPEGs
with nvJPEG (torchvision, imported only on that path).
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, ClassVar, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from posestudio.engines.base import BatchPoseEngine
from posestudio.engines.blazepose.graph import (
    DETECTOR_SIZE,
    LANDMARK_SIZE,
    Net,
    Pipeline,
    Settings,
    Track,
)
from posestudio.engines.blazepose.modules import OpGraph
from posestudio.protocol import Person

log = logging.getLogger(__name__)

KEY = "blazepose"
DETECTOR_FILE = "pose_detection.tflite"
LANDMARK_FILE = "pose_landmark_full.tflite"
CPU_BATCHES_IN_FLIGHT = 64
"""On the CPU: as many batches at once as the server has workers (the scheduler's cap)."""
CPU_MAX_BATCH = 2


class BlazePoseConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    device: Literal["auto", "cpu", "cuda"] = "auto"
    """`auto` takes CUDA when torch sees a GPU, else the CPU."""
    half: bool = True
    """float16 on CUDA (the CPU always runs float32)."""
    threads: int = Field(1, ge=0, le=256)
    """torch's and OpenCV's CPU threads for the process (0: their defaults). One: the
    server already runs several workers, and torch's threads spin against each other on
    busy cores."""
    min_detection_confidence: float = Field(0.5, ge=0, le=1)
    min_tracking_confidence: float = Field(0.5, ge=0, le=1)
    smooth_landmarks: bool = True
    static_image_mode: bool = False
    jpeg_on_gpu: bool = True
    """On CUDA, decode the batch's JPEG frames with nvJPEG (torchvision) on the GPU."""
    net_batch: int | None = Field(None, ge=1, le=1024)
    """Images per net call. Default: the whole batch on CUDA; one at a time on the CPU,
    where the landmark net costs 65 % more per image in a batch of eight than alone
    (docs/benchmarks.md), so the CPU batches everything but the nets."""
    cpu_runtime: Literal["onnxruntime", "torch"] = "onnxruntime"
    """What runs the nets on the CPU: onnxruntime (the torch modules exported at load, in
    memory; about twice torch's speed here) or torch itself. Without onnxruntime installed
    the engine runs torch, and says so in its log."""
    models_dir: Path | None = None
    """A directory holding `pose_detection.tflite` and `pose_landmark_full.tflite` as the
    mediapipe 0.10.21 wheel ships them (the GPU check carries such copies to a host without
    mediapipe); default: read from the installed wheel."""


def pick_device(setting: str) -> str:
    import torch

    if setting == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if setting == "cuda" and not torch.cuda.is_available():
        from posestudio.errors import EngineUnavailable

        raise EngineUnavailable("blazepose: device=cuda but torch sees no CUDA device")
    return setting


class BlazePoseEngine(BatchPoseEngine[Track]):
    name = KEY
    config_model: ClassVar[type[BaseModel]] = BlazePoseConfig
    description = "BlazePose full in torch on MediaPipe's weights, batched across streams"
    device = "cpu"
    memory_bytes: ClassVar[int] = 60_000_000

    def __init__(self, config: BlazePoseConfig | None = None) -> None:
        import cv2
        import torch

        from posestudio.engines.blazepose.modules import detector_net, landmark_net

        self.config = config or BlazePoseConfig()
        # The class says cpu; an instance reports the device it really runs on.
        self.device = pick_device(self.config.device)  # type: ignore[misc]
        if self.config.threads:
            torch.set_num_threads(self.config.threads)
            cv2.setNumThreads(self.config.threads)  # the CPU's crops
        dtype = torch.float16 if self.device == "cuda" and self.config.half else torch.float32
        models = self.config.models_dir
        detector = detector_net(models / DETECTOR_FILE if models else None)
        landmark = landmark_net(models / LANDMARK_FILE if models else None)
        nets: tuple[Net, Net] = (detector, landmark)
        self.runtime = "torch"
        """What runs the nets: torch, or onnxruntime on the CPU."""
        if self.device == "cpu" and self.config.cpu_runtime == "onnxruntime":
            on_ort = self._onnxruntime(detector, landmark)
            if on_ort is not None:
                nets, self.runtime = on_ort, "onnxruntime"
        self.pipeline = Pipeline(
            *nets,
            torch.device(self.device),
            dtype,
            net_batch=self.config.net_batch or (0 if self.device == "cuda" else 1),
        )
        self.settings = Settings(
            min_detection_confidence=self.config.min_detection_confidence,
            min_tracking_confidence=self.config.min_tracking_confidence,
            smooth_landmarks=self.config.smooth_landmarks,
            static_image_mode=self.config.static_image_mode,
        )
        self.decodes_on_device = self.device == "cuda" and self.config.jpeg_on_gpu
        # On CUDA one batch at a time on the device (a second one in flight decodes and
        # finishes its stages meanwhile); on the CPU, with one torch thread per call, a
        # batch per worker thread, each on a core of its own.
        cpu_parallel = self.device == "cpu" and self.config.threads == 1
        self.batches_in_flight = (
            CPU_BATCHES_IN_FLIGHT if cpu_parallel else 2 if self.device == "cuda" else 1
        )
        # The CPU runs the nets an image at a time: a batch only amortises the rest, and
        # at 10 streams on 2 cores batches of 2 served 80 poses/s, of 8 47 (p50 109 against
        # 268 ms, docs/benchmarks.md).
        self.max_batch = CPU_MAX_BATCH if self.device == "cpu" else None
        self._lock: AbstractContextManager[object] = (
            contextlib.nullcontext() if cpu_parallel else threading.Lock()
        )

    def _onnxruntime(self, detector: OpGraph, landmark: OpGraph) -> tuple[Net, Net] | None:
        """The two nets on onnxruntime; None (torch runs them) when it is not installed."""
        from posestudio.engines.blazepose.modules import DETECTOR_OUTPUTS, LANDMARK_OUTPUTS

        try:
            from posestudio.engines.blazepose.ortnet import OrtNet
        except ImportError as exc:
            log.warning("blazepose: onnxruntime is not installed (%s): the CPU runs torch", exc)
            return None
        threads = self.config.threads
        return (
            OrtNet(detector, DETECTOR_SIZE, DETECTOR_OUTPUTS, threads),
            OrtNet(landmark, LANDMARK_SIZE, LANDMARK_OUTPUTS, threads),
        )

    def new_state(self) -> Track:
        return Track()

    def release_state(self, state: Track) -> None:
        state.lose()

    def infer_batch(self, items: Sequence[tuple[Track, Any]]) -> list[list[Person]]:
        """Each image an RGB array, or a tensor already on the device (`decode_jpegs`)."""
        import torch

        frames = [
            (
                track,
                image
                if isinstance(image, torch.Tensor)
                else torch.from_numpy(np.ascontiguousarray(image)),
            )
            for track, image in items
        ]
        frames = [(track, image.to(self.device)) for track, image in frames]
        with self._lock:
            outputs = self.pipeline.run(frames, self.settings)
        return [
            []
            if out is None
            else [Person(score=out.score, landmarks=out.landmarks, world=out.world)]
            for out in outputs
        ]

    def decode_jpegs(self, jpegs: Sequence[bytes]) -> list[object]:
        """A batch of JPEGs decoded on the GPU (nvJPEG) to (H, W, 3) uint8 CUDA tensors."""
        import torch
        from torchvision.io import ImageReadMode, decode_jpeg

        data = [torch.frombuffer(bytearray(j), dtype=torch.uint8) for j in jpegs]
        images = decode_jpeg(data, mode=ImageReadMode.RGB, device=self.device)
        return [image.permute(1, 2, 0).contiguous() for image in images]
