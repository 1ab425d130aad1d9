"""BlazePose through mediapipe 0.10.21's legacy `mp.solutions.pose` (model_complexity=1).

The `mediapipe` engine plugin (entry point `posestudio.engines`); its config comes from
`POSE_STUDIO_ENGINE_CONFIG__MEDIAPIPE__<FIELD>`.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from posestudio.engines.base import PoseEngine
from posestudio.errors import EngineUnavailable
from posestudio.protocol import NUM_LANDMARKS, Person

KEY = "mediapipe"
SHIPPED_COMPLEXITY = 1


class MediaPipeConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # Only 1 ships in the wheel; others are refused when the engine loads.
    model_complexity: int = Field(SHIPPED_COMPLEXITY, ge=0, le=2)
    min_detection_confidence: float = Field(0.5, ge=0, le=1)
    min_tracking_confidence: float = Field(0.5, ge=0, le=1)
    # MediaPipe's own landmark filter across frames (the One-Euro stage is separate).
    smooth_landmarks: bool = True


def _to_array(landmarks: Any) -> np.ndarray:
    out = np.empty((NUM_LANDMARKS, 5), dtype=np.float32)
    for i, lm in enumerate(landmarks.landmark):
        # The legacy graph fills `visibility` but leaves `presence` unset; an unset
        # presence is reported as the visibility, the best estimate it gives.
        presence = lm.presence if lm.HasField("presence") else lm.visibility
        out[i] = (lm.x, lm.y, lm.z, lm.visibility, presence)
    return out


class MediaPipePoseEngine(PoseEngine):
    name = KEY
    config_model: ClassVar[type[BaseModel]] = MediaPipeConfig
    description = "MediaPipe BlazePose full (33 landmarks, 2D + 3D world), video-mode tracking"
    device = "cpu"

    def __init__(self, config: MediaPipeConfig | None = None) -> None:
        config = config or MediaPipeConfig()
        self.config = config
        if config.model_complexity != SHIPPED_COMPLEXITY:
            raise EngineUnavailable(
                f"model_complexity={config.model_complexity} is not shipped in the mediapipe "
                f"wheel and would be downloaded at run time; only {SHIPPED_COMPLEXITY} is "
                "available offline",
                details={"model_complexity": config.model_complexity},
            )
        from mediapipe.python.solutions import pose as mp_pose

        self._pose = mp_pose.Pose(
            static_image_mode=False,
            model_complexity=SHIPPED_COMPLEXITY,
            smooth_landmarks=config.smooth_landmarks,
            enable_segmentation=False,
            min_detection_confidence=config.min_detection_confidence,
            min_tracking_confidence=config.min_tracking_confidence,
        )

    def process(self, rgb: np.ndarray) -> list[Person]:
        result = self._pose.process(rgb)
        if result.pose_landmarks is None or result.pose_world_landmarks is None:
            return []
        landmarks = _to_array(result.pose_landmarks)
        world = _to_array(result.pose_world_landmarks)
        # The legacy API gives no person score; mean landmark presence stands in.
        score = float(landmarks[:, 4].mean())
        return [Person(score=score, landmarks=landmarks, world=world)]

    def reset(self) -> None:
        self._pose.reset()

    def close(self) -> None:
        self._pose.close()
