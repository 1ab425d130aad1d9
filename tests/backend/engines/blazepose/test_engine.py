"""The `blazepose` plugin: found through the entry point, on the CPU, and its ONNX export."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import simplejpeg
import torch

from posestudio.engines.blazepose.engine import BlazePoseConfig, BlazePoseEngine
from posestudio.engines.blazepose.export import export_net
from posestudio.engines.blazepose.modules import DETECTOR_OUTPUTS, LANDMARK_OUTPUTS
from posestudio.engines.plugins import discover
from posestudio.errors import BadEngineConfig, EngineUnavailable
from posestudio.protocol import NUM_LANDMARKS
from tests.backend.engines.blazepose.conftest import Nets
from tests.utils.frames import video_jpegs


def test_the_plugin_is_found_and_its_config_validated() -> None:
    plugin = discover().plugins["blazepose"]
    assert plugin.engine is BlazePoseEngine
    with pytest.raises(BadEngineConfig, match="device"):
        plugin.configure({"device": "tpu"})


def test_runs_on_the_cpu_without_cuda_and_refuses_cuda() -> None:
    engine = BlazePoseEngine(BlazePoseConfig(device="auto"))
    assert engine.device == "cpu"
    assert engine.runtime == "onnxruntime"  # the CPU's default, installed with the extra
    assert BlazePoseEngine(BlazePoseConfig(device="cpu", cpu_runtime="torch")).runtime == "torch"
    rgb = simplejpeg.decode_jpeg(video_jpegs(640, 480)[0], colorspace="RGB")
    state = engine.new_state()
    (person,) = engine.infer_batch([(state, rgb)])[0]
    assert person.landmarks.shape == (NUM_LANDMARKS, 5)
    assert person.world.shape == (NUM_LANDMARKS, 5)
    assert np.abs(person.world[[23, 24], :3].mean(axis=0)).max() < 0.1
    assert 0.5 < person.score <= 1
    assert engine.infer_batch([(state, np.zeros_like(rgb))]) == [[]]
    engine.release_state(state)
    if not torch.cuda.is_available():
        with pytest.raises(EngineUnavailable, match="no CUDA"):
            BlazePoseEngine(BlazePoseConfig(device="cuda"))


@pytest.mark.parametrize("which", ["detector", "landmark"])
def test_onnx_export_matches_torch(nets: Nets, tmp_path: Path, which: str) -> None:
    import onnxruntime

    net, size, names = (
        (nets.detector, 224, DETECTOR_OUTPUTS)
        if which == "detector"
        else (nets.landmark, 256, LANDMARK_OUTPUTS)
    )
    path = export_net(net, size, names, tmp_path / f"{which}.onnx")
    x = np.random.default_rng(0).uniform(0, 1, (2, size, size, 3)).astype(np.float32)
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    outs = session.run(None, {"input": x})  # batch 2 through a batch-1 export
    with torch.inference_mode():
        refs = net(torch.from_numpy(x))
    for out, ref in zip(outs, refs, strict=True):
        assert out.shape == tuple(ref.shape)
        assert float(np.abs(out - ref.numpy()).max()) < 1e-2
