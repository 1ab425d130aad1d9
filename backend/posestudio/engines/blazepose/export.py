"""The two nets as ONNX (`posestudio engines export blazepose --onnx DIR`).

For onnxruntime-gpu or Triton when a deployment outgrows one host. The TorchScript
exporter (`dynamo=False`) is used: the dynamo exporter needs `onnxscript`, which the
project does not carry. The batch dimension is dynamic; inputs are NHWC float32 as in the
`.tflite` files, outputs keep TFLite's names and shapes.
"""

from __future__ import annotations

import io
import warnings
from pathlib import Path

from posestudio.engines.blazepose.modules import (
    DETECTOR_OUTPUTS,
    LANDMARK_OUTPUTS,
    OpGraph,
    detector_net,
    landmark_net,
)

OPSET = 17


def _export(net: OpGraph, size: int, outputs: list[str], target: str | io.BytesIO) -> None:
    import torch

    example = torch.zeros((1, size, size, 3), dtype=torch.float32)
    axes = {"input": {0: "batch"}} | {name: {0: "batch"} for name in outputs}
    with warnings.catch_warnings():
        # The tracer's notes on constant folding and shape inference, per Slice and
        # Reshape: the exported graph is checked against torch in the tests.
        warnings.simplefilter("ignore")
        torch.onnx.export(
            net,
            (example,),
            target,  # type: ignore[arg-type]  # the TorchScript exporter takes a file object
            input_names=["input"],
            output_names=outputs,
            dynamic_axes=axes,
            opset_version=OPSET,
            dynamo=False,
        )


def export_net(net: OpGraph, size: int, outputs: list[str], path: Path) -> Path:
    _export(net, size, outputs, str(path))
    return path


def onnx_bytes(net: OpGraph, size: int, outputs: list[str]) -> bytes:
    """The net as an ONNX model in memory (about half a second for the landmark net)."""
    buffer = io.BytesIO()
    _export(net, size, outputs, buffer)
    return buffer.getvalue()


def export_onnx(directory: Path) -> list[Path]:
    """Write `pose_detection.onnx` and `pose_landmark_full.onnx` into `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    return [
        export_net(detector_net(), 224, DETECTOR_OUTPUTS, directory / "pose_detection.onnx"),
        export_net(landmark_net(), 256, LANDMARK_OUTPUTS, directory / "pose_landmark_full.onnx"),
    ]
