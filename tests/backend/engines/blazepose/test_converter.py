"""The converter against the reference interpreter (ai-edge-litert) on the same inputs."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from posestudio.engines.blazepose.converter import (
    DETECTOR_PATH,
    LANDMARK_PATH,
    densify,
    mediapipe_model,
    read_tflite,
)
from posestudio.engines.blazepose.crop import (
    Rect,
    inverse_map,
    letterbox_rect,
    warp,
    warp_batch,
    warp_tensors,
)
from posestudio.engines.blazepose.modules import DETECTOR_OUTPUTS, LANDMARK_OUTPUTS
from tests.backend.engines.blazepose.conftest import Nets

TOLERANCE = 1e-2


def litert(path: str, x: np.ndarray, names: list[str]) -> list[np.ndarray]:
    from ai_edge_litert.interpreter import Interpreter

    interpreter = Interpreter(model_path=str(mediapipe_model(path)))
    interpreter.allocate_tensors()
    interpreter.set_tensor(interpreter.get_input_details()[0]["index"], x)
    interpreter.invoke()
    by_name = {d["name"]: d["index"] for d in interpreter.get_output_details()}
    return [interpreter.get_tensor(by_name[n]) for n in names]


def test_detector_matches_litert_on_a_real_frame(nets: Nets, video: list[np.ndarray]) -> None:
    image = torch.from_numpy(video[0])
    h, w = video[0].shape[:2]
    rect, _ = letterbox_rect(w, h)
    crop = warp(image, inverse_map(rect, w, h, 224), 224, replicate=False)
    x = (crop.numpy()[None].astype(np.float32) * (2 / 255) - 1).astype(np.float32)
    with torch.inference_mode():
        ours = nets.detector(torch.from_numpy(x))
    for mine, ref in zip(ours, litert(DETECTOR_PATH, x, DETECTOR_OUTPUTS), strict=True):
        assert mine.shape == ref.shape
        assert float(np.abs(mine.numpy() - ref).max()) < TOLERANCE


def test_landmark_net_matches_litert_on_a_real_crop(nets: Nets, video: list[np.ndarray]) -> None:
    image = torch.from_numpy(video[0])
    h, w = video[0].shape[:2]
    roi = Rect(0.5, 0.55, 0.9, 0.9 * w / h, 0.1)
    crop = warp(image, inverse_map(roi, w, h, 256), 256, replicate=True)
    x = (crop.numpy()[None].astype(np.float32) / 255).astype(np.float32)
    with torch.inference_mode():
        ours = nets.landmark(torch.from_numpy(x))
    refs = litert(LANDMARK_PATH, x, LANDMARK_OUTPUTS)
    # landmarks (in 256-px crop units, compared normalised), flag, heatmap, world (metres)
    scales = [256.0, 1.0, 1.0, 1.0]
    for mine, ref, scale in zip(ours, refs, scales, strict=True):
        assert mine.shape == ref.shape
        assert float(np.abs(mine.numpy() - ref).max()) / scale < TOLERANCE


def test_weights_are_dense_float32_and_only_compute_ops_remain() -> None:
    graph = read_tflite(mediapipe_model(DETECTOR_PATH), DETECTOR_OUTPUTS)
    kinds = {op.kind for op in graph.ops}
    assert "DEQUANTIZE" not in kinds and "DENSIFY" not in kinds
    assert {"CONV_2D", "DEPTHWISE_CONV_2D", "DEPTH_TO_SPACE", "RESIZE_BILINEAR"} <= kinds
    weights = [graph.constants[op.inputs[1]] for op in graph.ops if op.kind == "CONV_2D"]
    assert all(w.dtype == np.float32 for w in weights)
    # the landmark net without its segmentation branch: the mask's ops are left out
    full = read_tflite(mediapipe_model(LANDMARK_PATH))
    pruned = read_tflite(mediapipe_model(LANDMARK_PATH), LANDMARK_OUTPUTS)
    assert len(pruned.ops) < len(full.ops)


def test_the_detectors_sparse_weights_are_densified() -> None:
    """38 DENSIFY tensors: each dense weight holds exactly its stored non-zero values."""
    import tflite

    path = mediapipe_model(DETECTOR_PATH)
    model = tflite.Model.GetRootAsModel(path.read_bytes(), 0)
    sub = model.Subgraphs(0)
    graph = read_tflite(path)
    checked = 0
    for j in range(sub.OperatorsLength()):
        op = sub.Operators(j)
        code = model.OperatorCodes(op.OpcodeIndex())
        if max(code.BuiltinCode(), code.DeprecatedBuiltinCode()) != tflite.BuiltinOperator.DENSIFY:
            continue
        stored = np.frombuffer(
            model.Buffers(sub.Tensors(op.Inputs(0)).Buffer()).DataAsNumpy().tobytes(), np.float16
        )
        dense = graph.constants[op.Outputs(0)]
        assert dense.shape == tuple(sub.Tensors(op.Outputs(0)).ShapeAsNumpy())
        assert np.array_equal(np.sort(dense[dense != 0]), np.sort(stored[stored != 0]))
        assert densify(stored, dense.shape, sub.Tensors(op.Inputs(0)).Sparsity()).shape
        checked += 1
    assert checked == 38


@pytest.mark.parametrize("replicate", [True, False])
def test_crops_are_bit_exact_with_opencv(video: list[np.ndarray], replicate: bool) -> None:
    import cv2

    rgb = video[30]
    h, w = rgb.shape[:2]
    for rect in (Rect(0.5, 0.5, 0.7, 0.9, 0.3), Rect(0.3, 0.6, 1.5, 1.8, -2.0)):
        center = (rect.x * w, rect.y * h)
        box = (rect.width * w, rect.height * h)
        src = cv2.boxPoints((center, box, np.degrees(rect.rotation))).astype(np.float32)
        dst = np.array([[0, 256], [0, 0], [256, 0], [256, 256]], dtype=np.float32)
        border = cv2.BORDER_REPLICATE if replicate else cv2.BORDER_CONSTANT
        matrix = cv2.getPerspectiveTransform(src, dst)
        ref = cv2.warpPerspective(
            rgb, matrix, (256, 256), flags=cv2.INTER_LINEAR, borderMode=border
        )
        inverse = inverse_map(rect, w, h, 256)
        # The tensor warp (the GPU's path), run here on the CPU, and the CPU's own path.
        ours = warp_tensors([torch.from_numpy(rgb)], [inverse], 256, replicate)[0]
        assert np.array_equal(ours.numpy(), ref)
        assert np.array_equal(warp(torch.from_numpy(rgb), inverse, 256, replicate).numpy(), ref)


@pytest.mark.parametrize("replicate", [True, False])
def test_a_batch_of_different_sizes_crops_each_image_as_opencv_does(
    video: list[np.ndarray], replicate: bool
) -> None:
    import cv2

    images = [video[10], cv2.resize(video[40], (320, 200)), video[70][:100, :150].copy()]
    rects = [
        Rect(0.5, 0.5, 0.7, 0.9, 0.3),
        Rect(0.3, 0.6, 1.5, 1.8, -2.0),
        Rect(0.9, 0.1, 0.5, 0.5, 1.0),
    ]
    inverses = [
        inverse_map(rect, rgb.shape[1], rgb.shape[0], 256)
        for rgb, rect in zip(images, rects, strict=True)
    ]
    tensors = [torch.from_numpy(rgb) for rgb in images]
    crops = warp_tensors(tensors, inverses, 256, replicate)
    assert torch.equal(crops, warp_batch(tensors, inverses, 256, replicate))
    border = cv2.BORDER_REPLICATE if replicate else cv2.BORDER_CONSTANT
    for rgb, inverse, crop in zip(images, inverses, crops, strict=True):
        ref = cv2.warpPerspective(
            rgb,
            inverse,
            (256, 256),
            flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
            borderMode=border,
        )
        assert np.array_equal(crop.numpy(), ref)
