"""The GPU check's parts that run anywhere: the served stage on the CPU, the stage runner's
time budget, and the report. (Its CUDA stages run only on a lent GPU: docs/blazepose.md.)"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from posestudio.client.sources import test_video_path
from posestudio.engines.blazepose.converter import DETECTOR_PATH, LANDMARK_PATH, mediapipe_model
from posestudio.engines.blazepose.gpucheck import measure
from posestudio.engines.blazepose.gpureport import markdown
from posestudio.engines.blazepose.gpustages import served
from tests.utils.frames import video_jpegs


@pytest.fixture(scope="module")
def assets(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What `prepare` copies (the models and the video), without MediaPipe's landmarks."""
    out = tmp_path_factory.mktemp("gpucheck")
    shutil.copy(mediapipe_model(DETECTOR_PATH), out / "pose_detection.tflite")
    shutil.copy(mediapipe_model(LANDMARK_PATH), out / "pose_landmark_full.tflite")
    shutil.copy(test_video_path(), out / "video.mp4")
    return out


def test_the_served_stage_runs_the_engine_from_the_carried_models(assets: Path) -> None:
    rows = served(assets, "cpu", list(video_jpegs(320, 240)[:4]), [2], 1.0)
    assert [row["streams"] for row in rows] == [2]
    row = rows[0]
    assert row["poses"] > 0 and row["errors"] == 0
    assert row["server_ms_p50"] is not None and row["gpu_peak_mib"] is None
    assert "| 2 |" in markdown({"device": "cpu", "gpu": "", "torch": "x", "served": rows})


def test_stages_that_do_not_fit_the_budget_are_skipped_and_the_report_is_still_written(
    assets: Path, tmp_path: Path
) -> None:
    report = measure(assets, "cpu", tmp_path, quick=True, budget_s=0.0)
    assert report["skipped"] == ["parity_fp32", "throughput_fp32", "decode", "served"]
    written = json.loads((tmp_path / "gpu-check.json").read_text())
    assert written["skipped"] == report["skipped"]
    assert (
        "skipped for time: parity_fp32, throughput_fp32, decode, served"
        in (tmp_path / "gpu-check.md").read_text()
    )


def test_the_report_names_a_failed_stage_and_renders_the_rest() -> None:
    report = {
        "device": "cuda",
        "gpu": "H200",
        "torch": "2.x",
        "skipped": [],
        "decode": {"cpu_opencv_per_s": 250.0, "nvjpeg_per_s": 4000.0, "nvjpeg_batch": 32},
        "served": {"error": "RuntimeError: CUDA out of memory"},
        "graphs": [{"batch": 8, "eager_ms": 5.0, "graph_ms": 1.5, "graph_max_diff": 0.0}],
    }
    text = markdown(report)
    assert "- served failed: RuntimeError: CUDA out of memory" in text
    assert "nvJPEG: 4000/s in batches of 32" in text
    assert "| 8 | 5.0 | 1.5 | - | - | 0 |" in text
