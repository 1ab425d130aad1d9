"""MediaPipe's hand landmarks on the crops a pose gives, through mediapipe's own graph API.

The `mediapipe==0.10.21` wheel ships the hand landmark model
(`modules/hand_landmark/hand_landmark_full.tflite`) and the hand re-crop model of its
holistic solution (`modules/holistic_landmark/hand_recrop.tflite`), and registers the
holistic graph's `HandLandmarksLeftAndRightCpu` subgraph. That subgraph takes the image
and the 33 pose landmarks, crops each hand from the pose's wrist, index and pinky
landmarks (refined by the re-crop model), runs the landmark model on the crop, and
tracks a hand from its last landmarks while they still agree with the pose. It never
searches the whole frame for palms (the palm detector is not used at all).

One `HandGraph` per stream (it tracks), used from one thread at a time.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import numpy as np

NUM_HAND_LANDMARKS = 21
SIDES = ("left", "right")

_GRAPH = """
input_stream: "IMAGE:image"
input_stream: "POSE_LANDMARKS:pose_landmarks"
output_stream: "LEFT_HAND_LANDMARKS:left"
output_stream: "RIGHT_HAND_LANDMARKS:right"
node {
  calculator: "HandLandmarksLeftAndRightCpu"
  input_stream: "IMAGE:image"
  input_stream: "POSE_LANDMARKS:pose_landmarks"
  output_stream: "LEFT_HAND_LANDMARKS:left"
  output_stream: "RIGHT_HAND_LANDMARKS:right"
}
"""


@dataclass(frozen=True)
class Hand:
    side: str  # the person's "left" or "right"
    landmarks: np.ndarray  # (21, 4): x, y normalised to the image, z, visibility


class HandGraph:
    def __init__(self) -> None:
        import mediapipe
        from google.protobuf import text_format
        from mediapipe.framework import calculator_pb2
        from mediapipe.python._framework_bindings import calculator_graph, resource_util

        # The subgraph finds its models under mediapipe/modules/ relative to this root.
        resource_util.set_resource_dir(os.path.dirname(os.path.dirname(mediapipe.__file__)))
        config = text_format.Parse(_GRAPH, calculator_pb2.CalculatorGraphConfig())
        self._graph: Any = calculator_graph.CalculatorGraph(graph_config=config)
        self._out: dict[str, Any] = {}
        for side in SIDES:
            self._graph.observe_output_stream(side, self._observer(side), True)
        self._graph.start_run()
        self._ts = -1

    def _observer(self, side: str) -> Any:
        from mediapipe.python import packet_getter

        def observe(_: str, packet: Any) -> None:
            if not packet.is_empty():
                self._out[side] = packet_getter.get_proto(packet)

        return observe

    def process(self, rgb: np.ndarray, pose: np.ndarray, capture_ms: float) -> list[Hand]:
        """The hands of the person whose 33 pose landmarks (x, y normalised, z,
        visibility, presence) are `pose`, in the image they were found in."""
        from mediapipe.framework.formats import landmark_pb2
        from mediapipe.python import packet_creator
        from mediapipe.python._framework_bindings import image_frame

        # Timestamps must grow; the capture clock (µs) may repeat or step back.
        self._ts = max(self._ts + 1, int(capture_ms * 1000))
        landmarks = landmark_pb2.NormalizedLandmarkList()
        for x, y, z, visibility, presence in np.asarray(pose, dtype=float)[:, :5]:
            landmarks.landmark.add(x=x, y=y, z=z, visibility=visibility, presence=presence)
        image = packet_creator.create_image_frame(
            image_format=image_frame.ImageFormat.SRGB, data=np.ascontiguousarray(rgb)
        )
        if self._graph is None:
            raise RuntimeError("the hand graph is closed")
        self._out.clear()
        self._graph.add_packet_to_input_stream("image", image.at(self._ts))
        self._graph.add_packet_to_input_stream(
            "pose_landmarks", packet_creator.create_proto(landmarks).at(self._ts)
        )
        self._graph.wait_until_idle()
        hands = []
        for side in SIDES:
            found = self._out.get(side)
            if found is None or len(found.landmark) != NUM_HAND_LANDMARKS:
                continue
            array = np.array(
                [
                    (
                        lm.x,
                        lm.y,
                        lm.z,
                        lm.visibility if lm.HasField("visibility") else 1.0,
                    )
                    for lm in found.landmark
                ],
                dtype=np.float32,
            )
            hands.append(Hand(side, array))
        return hands

    def close(self) -> None:
        """Stop the graph and drop it: its observers refer back to this object, a cycle
        through C++ that the garbage collector cannot see, so without this its threads
        would outlive the stream."""
        if self._graph is not None:
            self._graph.close()
            self._graph = None
            self._out.clear()
