"""The detector and landmark nets in torch: a `.tflite` graph rebuilt op by op.

Tensors run NCHW (torch's layout) between ops; TFLite's NHWC shows only where the graph
reshapes or concatenates, and at the outputs, which keep TFLite's shapes so that they
compare one to one with the reference interpreter. Weights come from
`converter.read_tflite`: OHWI convolutions become OIHW, depthwise `1HW(C*m)` becomes
`(C*m)1HW`; TFLite's `SAME` padding (asymmetric when the total is odd) is an explicit pad.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from posestudio.engines.blazepose.converter import (
    DETECTOR_PATH,
    LANDMARK_PATH,
    ConversionError,
    OpSpec,
    TFLiteGraph,
    mediapipe_model,
    read_tflite,
)

DETECTOR_OUTPUTS = ["Identity", "Identity_1"]  # boxes (1, 2254, 12), scores (1, 2254, 1)
# landmarks (1, 195), pose flag (1, 1), heatmap (1, 64, 64, 39), world (1, 117); the
# segmentation mask (Identity_2) is left out, with the ops only it needs.
LANDMARK_OUTPUTS = ["Identity", "Identity_1", "Identity_3", "Identity_4"]


def _same_pad(size: int, kernel: int, stride: int, dilation: int) -> tuple[int, int]:
    effective = (kernel - 1) * dilation + 1
    total = max((math.ceil(size / stride) - 1) * stride + effective - size, 0)
    return total // 2, total - total // 2


def _activate(x: torch.Tensor, activation: str) -> torch.Tensor:
    if activation == "relu6":
        return F.relu6(x)
    if activation == "relu":
        return F.relu(x)
    if activation == "tanh":
        return torch.tanh(x)
    return x


class _Conv(nn.Module):
    def __init__(self, spec: OpSpec, graph: TFLiteGraph, depthwise: bool) -> None:
        super().__init__()
        weight = graph.constants[spec.inputs[1]]
        bias = graph.constants.get(spec.inputs[2]) if len(spec.inputs) > 2 else None
        _, in_h, in_w, in_c = graph.shapes[spec.inputs[0]]
        if depthwise:
            weight = np.transpose(weight, (3, 0, 1, 2))  # 1HW(C*m) -> (C*m)1HW
            groups = in_c
        else:
            weight = np.transpose(weight, (0, 3, 1, 2))  # OHWI -> OIHW
            groups = 1
        kh, kw = weight.shape[2:]
        self.stride = spec.options["stride"]
        self.dilation = spec.options["dilation"]
        self.groups = groups
        self.activation = spec.options["activation"]
        self.pad = (0, 0, 0, 0)
        if spec.options["padding"] == "same":
            top, bottom = _same_pad(in_h, kh, self.stride[0], self.dilation[0])
            left, right = _same_pad(in_w, kw, self.stride[1], self.dilation[1])
            self.pad = (left, right, top, bottom)
        self.weight = nn.Parameter(torch.from_numpy(np.ascontiguousarray(weight)), False)
        self.bias = (
            nn.Parameter(torch.from_numpy(np.ascontiguousarray(bias)), False)
            if bias is not None
            else None
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        left, right, top, bottom = self.pad
        padding: tuple[int, int] = (0, 0)
        if left == right and top == bottom:
            padding = (top, left)
        else:
            x = F.pad(x, self.pad)
        y = F.conv2d(x, self.weight, self.bias, self.stride, padding, self.dilation, self.groups)
        return _activate(y, self.activation)


def _nchw_axis(axis: int, rank: int) -> int:
    axis = axis % rank
    return (0, 2, 3, 1)[axis] if rank == 4 else axis


class OpGraph(nn.Module):
    """A TFLite subgraph as a torch module: input NHWC float32, outputs as TFLite's."""

    def __init__(self, graph: TFLiteGraph) -> None:
        super().__init__()
        self.graph = graph
        self.layers = nn.ModuleDict()
        self.specs: list[OpSpec] = graph.ops
        self.consts: dict[int, Any] = {}
        for n, spec in enumerate(graph.ops):
            if spec.kind in ("CONV_2D", "DEPTHWISE_CONV_2D"):
                self.layers[str(n)] = _Conv(spec, graph, spec.kind == "DEPTHWISE_CONV_2D")
            elif spec.kind == "PAD":
                pads = graph.constants[spec.inputs[1]].reshape(-1, 2)
                (_, _), (t, b), (le, r), (c0, c1) = (tuple(int(v) for v in p) for p in pads)
                self.consts[n] = (le, r, t, b, c0, c1)
            elif spec.kind == "RESIZE_BILINEAR":
                self.consts[n] = tuple(int(v) for v in graph.constants[spec.inputs[1]])
            elif spec.kind == "RESHAPE":
                self.consts[n] = tuple(graph.shapes[spec.outputs[0]][1:])
            elif spec.kind == "MAX_POOL_2D":
                _, h, w, _ = graph.shapes[spec.inputs[0]]
                kh, kw = spec.options["kernel"]
                sh, sw = spec.options["stride"]
                pad = (0, 0, 0, 0)
                if spec.options["padding"] == "same":
                    pad = (*_same_pad(w, kw, sw, 1), *_same_pad(h, kh, sh, 1))
                if any(pad):
                    raise ConversionError("padded max pools are not rebuilt")
                self.consts[n] = ((kh, kw), (sh, sw))
            elif spec.kind == "ADD":
                for i in spec.inputs:
                    if i in graph.constants:
                        raise ConversionError("ADD of a constant is not rebuilt")
        self.rank = {i: len(s) for i, s in graph.shapes.items()}

    def forward(self, x: torch.Tensor) -> list[torch.Tensor]:
        env: dict[int, torch.Tensor] = {self.graph.inputs[0]: x.permute(0, 3, 1, 2)}
        for n, spec in enumerate(self.specs):
            kind = spec.kind
            a = env[spec.inputs[0]]
            if kind in ("CONV_2D", "DEPTHWISE_CONV_2D"):
                y = self.layers[str(n)](a)
            elif kind == "ADD":
                y = _activate(env[spec.inputs[0]] + env[spec.inputs[1]], spec.options["activation"])
            elif kind == "PAD":
                y = F.pad(a, self.consts[n])
            elif kind == "RESIZE_BILINEAR":
                y = F.interpolate(a, size=self.consts[n], mode="bilinear", align_corners=False)
            elif kind == "RESHAPE":
                if a.dim() == 4:
                    a = a.permute(0, 2, 3, 1)
                y = a.reshape(a.shape[0], *self.consts[n])
            elif kind == "MAX_POOL_2D":
                kernel, stride = self.consts[n]
                y = _activate(F.max_pool2d(a, kernel, stride), spec.options["activation"])
            elif kind == "LOGISTIC":
                y = torch.sigmoid(a)
            elif kind == "DEPTH_TO_SPACE":
                block = spec.options["block"]
                b, c, h, w = a.shape
                # TFLite's DCR order: channel (i*block + j)*C_out + c
                y = (
                    a.reshape(b, block, block, c // (block * block), h, w)
                    .permute(0, 3, 4, 1, 5, 2)
                    .reshape(b, c // (block * block), h * block, w * block)
                )
            elif kind == "CONCATENATION":
                parts = [env[i] for i in spec.inputs]
                axis = _nchw_axis(spec.options["axis"], self.rank[spec.outputs[0]])
                y = _activate(torch.cat(parts, dim=axis), spec.options["activation"])
            else:  # pragma: no cover - the converter refuses other ops
                raise ConversionError(kind)
            env[spec.outputs[0]] = y
        outs = []
        for i in self.graph.outputs:
            y = env[i]
            outs.append(y.permute(0, 2, 3, 1) if y.dim() == 4 else y)
        return outs


def detector_net(path: Path | None = None) -> OpGraph:
    """BlazePose's detector (224x224 NHWC in [-1, 1]) from the mediapipe wheel (or `path`)."""
    source = path or mediapipe_model(DETECTOR_PATH)
    return OpGraph(read_tflite(source, DETECTOR_OUTPUTS)).eval()


def landmark_net(path: Path | None = None) -> OpGraph:
    """BlazePose full's landmark net (256x256 NHWC in [0, 1]) from the wheel (or `path`)."""
    source = path or mediapipe_model(LANDMARK_PATH)
    return OpGraph(read_tflite(source, LANDMARK_OUTPUTS)).eval()
