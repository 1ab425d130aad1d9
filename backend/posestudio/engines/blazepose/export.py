"""The two nets as ONNX (`posestudio engines export blazepose --onnx DIR`).

For onnxruntime-gpu or Triton when a deployment outgrows one host. The TorchScript
exporter (`dynamo=False`) is used: the dynamo exporter needs `onnxscript`, which the
project does not carry. The batch dimension is dynamic; inputs are NHWC float32 as in the
`.tflite` files, outputs keep TFLite's names and shapes.
"""

from __future__ import annotations

from pathlib import Path

from posestudio.engines.blazepose.modules import (
    DETECTOR_OUTPUTS,
    LANDMARK_OUTPUTS,
    OpGraph,
    detector_net,
    landmark_net,
)

OPSET = 17


def export_net(net: OpGraph, size: int, outputs: list[str], path: Path) -> Path:
    import torch

    example = torch.zeros((1, size, size, 3), dtype=torch.float32)
    axes = {"input": {0: "batch"}} | {name: {0: "batch"} for name in outputs}
    torch.onnx.export(
        net,
        (example,),
        str(path),
        input_names=["input"],
        output_names=outputs,
        dynamic_axes=axes,
        opset_version=OPSET,
        dynamo=False,
    )
    return path


def export_onnx(directory: Path) -> list[Path]:
    """Write `pose_detection.onnx` and `pose_landmark_full.onnx` into `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    return [
        export_net(detector_net(), 224, DETECTOR_OUTPUTS, directory / "pose_detection.onnx"),
        export_net(landmark_net(), 256, LANDMARK_OUTPUTS, directory / "pose_landmark_full.onnx"),
    ]
