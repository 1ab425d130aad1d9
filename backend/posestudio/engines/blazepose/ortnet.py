"""The nets through onnxruntime on the CPU.

Each torch module (built from the wheel's weights) is exported to ONNX at load, in memory,
and run by onnxruntime's CPU provider: on these cores, one thread, the landmark net takes
8.4 ms an image against torch's 16.3 and the detector 9.4-11.1 against 19.4-21.8
(docs/benchmarks.md). Outputs come back as torch tensors, in the module's order, so the
pipeline cannot tell the two apart; the parity tests run both.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from posestudio.engines.blazepose.export import onnx_bytes
from posestudio.engines.blazepose.modules import OpGraph


class OrtNet:
    """A net as the pipeline calls it: NHWC float32 in, the outputs as tensors."""

    def __init__(self, net: OpGraph, size: int, outputs: list[str], threads: int) -> None:
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads  # 0: onnxruntime's default
        options.inter_op_num_threads = 1
        self.session = ort.InferenceSession(
            onnx_bytes(net, size, outputs), options, providers=["CPUExecutionProvider"]
        )
        self.input = self.session.get_inputs()[0].name

    def __call__(self, x: torch.Tensor) -> list[torch.Tensor]:
        # `run` may be called from several threads at once (one batch per worker).
        outputs = self.session.run(None, {self.input: np.ascontiguousarray(x.numpy())})
        return [torch.from_numpy(np.asarray(o)) for o in outputs]

    def to(self, *args: Any, **kwargs: Any) -> OrtNet:
        """The CPU and float32 only: nothing to move."""
        return self
