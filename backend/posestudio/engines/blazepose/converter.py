"""Read a `.tflite` flatbuffer into plain op specs and float32 constants.

Every weight in MediaPipe's BlazePose models is float16 behind a `DEQUANTIZE` op, and the
detector stores 38 of them sparse behind `DENSIFY`; both are folded here into dense
float32 constants, so the torch graph (`modules.OpGraph`) sees only compute ops.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

DETECTOR_PATH = "modules/pose_detection/pose_detection.tflite"
LANDMARK_PATH = "modules/pose_landmark/pose_landmark_full.tflite"

_DTYPES = {0: np.float32, 1: np.float16, 2: np.int32, 3: np.uint8, 4: np.int64, 9: np.int8}
_ACTIVATIONS = {0: "none", 1: "relu", 3: "relu6", 4: "tanh"}
_PADDING = {0: "same", 1: "valid"}


class ConversionError(ValueError):
    """The model uses something the converter does not rebuild."""


@dataclass(frozen=True)
class OpSpec:
    kind: str
    inputs: list[int]
    outputs: list[int]
    options: dict[str, Any] = field(default_factory=dict)


@dataclass
class TFLiteGraph:
    """One subgraph: compute ops in order, constants by tensor index, shapes, names."""

    ops: list[OpSpec]
    constants: dict[int, np.ndarray]
    shapes: dict[int, tuple[int, ...]]
    names: dict[int, str]
    inputs: list[int]
    outputs: list[int]


def mediapipe_model(relative: str) -> Path:
    """A model file inside the installed mediapipe wheel (read as a file, not imported)."""
    spec = importlib.util.find_spec("mediapipe")
    if spec is None or spec.origin is None:
        raise ConversionError("mediapipe is not installed (the `pose` extra)")
    path = Path(spec.origin).parent / relative
    if not path.is_file():
        raise ConversionError(f"{relative} is not in the mediapipe wheel")
    return path


def _vector(table: Any, kind: int) -> np.ndarray:
    import tflite

    cls = {1: tflite.Int32Vector, 2: tflite.Uint16Vector, 3: tflite.Uint8Vector}[kind]
    vec = cls()
    vec.Init(table.Bytes, table.Pos)
    return np.asarray(vec.ValuesAsNumpy(), dtype=np.int64)


def densify(values: np.ndarray, shape: tuple[int, ...], sparsity: Any) -> np.ndarray:
    """TFLite's sparse tensor format (dense and CSR dimensions, no block map) made dense."""
    if sparsity.BlockMapLength():
        raise ConversionError("block-sparse tensors are not supported")
    order = [int(d) for d in sparsity.TraversalOrderAsNumpy()]
    coords = np.zeros((1, 0), dtype=np.int64)
    positions = np.zeros(1, dtype=np.int64)
    for level in range(len(order)):
        meta = sparsity.DimMetadata(level)
        if meta.Format() == 0:  # DENSE
            size = int(meta.DenseSize())
            inner = np.arange(size, dtype=np.int64)
            positions = (positions[:, None] * size + inner[None, :]).reshape(-1)
            coords = np.concatenate(
                [np.repeat(coords, size, axis=0), np.tile(inner, len(coords))[:, None]], axis=1
            )
        else:  # SPARSE_CSR
            segments = _vector(meta.ArraySegments(), meta.ArraySegmentsType())
            indices = _vector(meta.ArrayIndices(), meta.ArrayIndicesType())
            counts = segments[positions + 1] - segments[positions]
            starts = np.repeat(segments[positions], counts)
            offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
            positions = starts + offsets
            coords = np.concatenate(
                [np.repeat(coords, counts, axis=0), indices[positions][:, None]], axis=1
            )
    dense = np.zeros(shape, dtype=values.dtype)
    axes = np.empty_like(coords)
    axes[:, order] = coords
    dense[tuple(axes.T)] = values[positions]
    return dense


def _options(op: Any, kind: str) -> dict[str, Any]:
    import tflite

    table = op.BuiltinOptions()
    if kind in ("CONV_2D", "DEPTHWISE_CONV_2D"):
        cls = tflite.Conv2DOptions if kind == "CONV_2D" else tflite.DepthwiseConv2DOptions
        o = cls()
        o.Init(table.Bytes, table.Pos)
        return {
            "padding": _PADDING[o.Padding()],
            "stride": (o.StrideH(), o.StrideW()),
            "dilation": (o.DilationHFactor(), o.DilationWFactor()),
            "activation": _ACTIVATIONS[o.FusedActivationFunction()],
        }
    if kind == "MAX_POOL_2D":
        o = tflite.Pool2DOptions()
        o.Init(table.Bytes, table.Pos)
        return {
            "padding": _PADDING[o.Padding()],
            "stride": (o.StrideH(), o.StrideW()),
            "kernel": (o.FilterHeight(), o.FilterWidth()),
            "activation": _ACTIVATIONS[o.FusedActivationFunction()],
        }
    if kind == "ADD":
        o = tflite.AddOptions()
        o.Init(table.Bytes, table.Pos)
        return {"activation": _ACTIVATIONS[o.FusedActivationFunction()]}
    if kind == "CONCATENATION":
        o = tflite.ConcatenationOptions()
        o.Init(table.Bytes, table.Pos)
        return {"axis": o.Axis(), "activation": _ACTIVATIONS[o.FusedActivationFunction()]}
    if kind == "RESIZE_BILINEAR":
        o = tflite.ResizeBilinearOptions()
        o.Init(table.Bytes, table.Pos)
        if o.AlignCorners() or not o.HalfPixelCenters():
            raise ConversionError("only half-pixel-centre bilinear resizes are rebuilt")
        return {}
    if kind == "DEPTH_TO_SPACE":
        o = tflite.DepthToSpaceOptions()
        o.Init(table.Bytes, table.Pos)
        return {"block": o.BlockSize()}
    return {}


COMPUTE_OPS = {
    "CONV_2D",
    "DEPTHWISE_CONV_2D",
    "ADD",
    "PAD",
    "RESIZE_BILINEAR",
    "RESHAPE",
    "MAX_POOL_2D",
    "LOGISTIC",
    "DEPTH_TO_SPACE",
    "CONCATENATION",
}


def read_tflite(path: Path, outputs: list[str] | None = None) -> TFLiteGraph:
    """Parse subgraph 0; with `outputs` (tensor names), keep only the ops they need."""
    import tflite

    model = tflite.Model.GetRootAsModel(path.read_bytes(), 0)
    graph = model.Subgraphs(0)
    shapes: dict[int, tuple[int, ...]] = {}
    names: dict[int, str] = {}
    constants: dict[int, np.ndarray] = {}
    for index in range(graph.TensorsLength()):
        tensor = graph.Tensors(index)
        shape = tuple(int(d) for d in tensor.ShapeAsNumpy()) if tensor.ShapeLength() else ()
        shapes[index] = shape
        names[index] = tensor.Name().decode()
        data = model.Buffers(tensor.Buffer()).DataAsNumpy()
        if isinstance(data, np.ndarray) and data.size:
            values = np.frombuffer(data.tobytes(), dtype=_DTYPES[tensor.Type()])
            sparsity = tensor.Sparsity()
            if sparsity is not None:
                constants[index] = values  # dense shape comes from the DENSIFY output
            else:
                constants[index] = values.reshape(shape)
    ops: list[OpSpec] = []
    for j in range(graph.OperatorsLength()):
        op = graph.Operators(j)
        code = model.OperatorCodes(op.OpcodeIndex())
        kind = tflite.opcode2name(max(code.BuiltinCode(), code.DeprecatedBuiltinCode()))
        ins = [int(i) for i in op.InputsAsNumpy()]
        outs = [int(i) for i in op.OutputsAsNumpy()]
        if kind == "DENSIFY":
            sparsity = graph.Tensors(ins[0]).Sparsity()
            constants[outs[0]] = densify(constants[ins[0]], shapes[outs[0]], sparsity)
        elif kind == "DEQUANTIZE":
            constants[outs[0]] = constants[ins[0]].astype(np.float32).reshape(shapes[outs[0]])
        elif kind in COMPUTE_OPS:
            ops.append(OpSpec(kind, ins, outs, _options(op, kind)))
        else:
            raise ConversionError(f"op {kind} is not rebuilt")
    graph_outputs = [int(i) for i in graph.OutputsAsNumpy()]
    if outputs is not None:
        by_name = {names[i]: i for i in graph_outputs}
        graph_outputs = [by_name[n] for n in outputs]
        needed = set(graph_outputs)
        kept: list[OpSpec] = []
        for spec in reversed(ops):
            if needed.intersection(spec.outputs):
                kept.append(spec)
                needed.update(spec.inputs)
        ops = kept[::-1]
    return TFLiteGraph(
        ops=ops,
        constants={
            k: v.astype(np.float32) if v.dtype == np.float16 else v for k, v in constants.items()
        },
        shapes=shapes,
        names=names,
        inputs=[int(i) for i in graph.InputsAsNumpy()],
        outputs=graph_outputs,
    )
