"""The figures a lent GPU is for, in one run (`docs/gpu-check.sh` drives it).

`prepare ASSETS` (here, with the project's venv): copies the two `.tflite` files out of the
mediapipe wheel and the real test video, and records MediaPipe's own landmarks on that
video (static and tracking), because the GPU machine has no mediapipe.

`measure ASSETS --device cuda --out DIR` (there, with its own torch and the carried
wheels): the stages of `gpustages` in turn (parity in fp32 and fp16, batch throughput,
JPEG decode, the served pipeline at 1-200 streams, CUDA graphs, `torch.compile`), each
skipped if it would not fit in `--budget`, the report (`gpureport`) rewritten into
`DIR/gpu-check.json` and `DIR/gpu-check.md` after each. `--device cpu --quick` is the dry
run of the same code on a CPU.

Run as a file (`python3 backend/posestudio/engines/blazepose/gpucheck.py`): where the
package's own imports fail (no pydantic), it loads the blazepose modules without
`posestudio/engines/__init__`, for the stages that need no more.
"""

from __future__ import annotations

import argparse
import importlib
import json
import platform
import shutil
import sys
import time
import types
from pathlib import Path
from typing import Any

import numpy as np

BACKEND = Path(__file__).resolve().parents[3]


def _bare_packages() -> None:
    """Make `posestudio.engines.blazepose` importable without its parents' imports."""
    for name in ("posestudio", "posestudio.engines", "posestudio.engines.blazepose"):
        if name in sys.modules:
            continue
        try:
            importlib.import_module(name)
        except Exception:  # pydantic and the rest are missing there: any failure will do
            module = types.ModuleType(name)
            module.__path__ = [str(BACKEND / name.replace(".", "/"))]
            sys.modules[name] = module


def prepare(assets: Path) -> None:
    """Here: models, video and MediaPipe's landmarks into `assets`."""
    from mediapipe.python.solutions import pose as mp_pose

    from posestudio.client.sources import test_video_path
    from posestudio.engines.blazepose.converter import (
        DETECTOR_PATH,
        LANDMARK_PATH,
        mediapipe_model,
    )
    from posestudio.engines.blazepose.gpustages import STATIC_EVERY, read_video

    assets.mkdir(parents=True, exist_ok=True)
    shutil.copy(mediapipe_model(DETECTOR_PATH), assets / "pose_detection.tflite")
    shutil.copy(mediapipe_model(LANDMARK_PATH), assets / "pose_landmark_full.tflite")
    shutil.copy(test_video_path(), assets / "video.mp4")
    frames = read_video(assets / "video.mp4")
    refs: dict[str, np.ndarray] = {}
    for mode, static in (("static", True), ("tracking", False)):
        used = frames[::STATIC_EVERY] if static else frames
        out = np.full((len(used), 33, 3), np.nan, dtype=np.float64)
        with mp_pose.Pose(static_image_mode=static, model_complexity=1) as graph:
            for i, rgb in enumerate(used):
                found = graph.process(rgb).pose_landmarks
                if found is not None:
                    out[i] = [(lm.x, lm.y, lm.visibility) for lm in found.landmark]
        refs[mode] = out
    np.savez_compressed(assets / "mediapipe.npz", **refs)


def measure(assets: Path, device: str, out: Path, quick: bool, budget_s: float) -> dict[str, Any]:
    """Every stage in turn, the report rewritten after each, so a timeout loses only the
    stage it stopped; a stage that would not fit in what is left of `budget_s` is skipped."""
    import cv2
    import torch

    from posestudio.engines.blazepose.gpureport import markdown
    from posestudio.engines.blazepose.gpustages import (
        SERVED_STREAMS,
        decode_rate,
        device_decode_parity,
        graphs,
        parity,
        read_video,
        served,
        throughput,
    )

    started = time.monotonic()
    if device == "cpu":
        torch.set_num_threads(1)  # torch's threads spin against each other on shared cores
    hd = read_video(assets / "video.mp4", size=(1280, 720))[:8]
    jpegs = [
        cv2.imencode(".jpg", cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 70])[
            1
        ].tobytes()
        for rgb in hd
    ]
    sizes = [1, 8] if quick else [1, 8, 32, 64]
    seconds = 0.5 if quick else 4.0
    report: dict[str, Any] = {
        "device": device,
        "gpu": torch.cuda.get_device_name(0) if device == "cuda" else platform.processor(),
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "skipped": [],
    }
    out.mkdir(parents=True, exist_ok=True)

    def save() -> None:
        (out / "gpu-check.json").write_text(json.dumps(report, indent=2))
        (out / "gpu-check.md").write_text(markdown(report))

    def stage(key: str, needs_s: float, run: Any) -> None:
        if time.monotonic() - started + needs_s > budget_s:
            report["skipped"].append(key)
            print("skipped", key, flush=True)
            return
        try:
            report[key] = run()
        except Exception as exc:  # one stage's failure is a figure too; the others go on
            report[key] = {"error": f"{type(exc).__name__}: {exc}"}
        print(key, json.dumps(report[key]), flush=True)
        save()

    cuda = device == "cuda"
    for half in [False, True] if cuda else [False]:
        key = "fp16" if half else "fp32"
        stage(f"parity_{key}", 20, lambda h=half: parity(assets, device, h, 24 if quick else None))
        stage(
            f"throughput_{key}",
            30,
            lambda h=half: throughput(assets, device, h, hd[0], sizes, seconds),
        )
    stage("decode", 10, lambda: decode_rate(device, jpegs * 8, 32, seconds))
    if cuda:
        stage("device_decode", 10, lambda: device_decode_parity(assets, device, jpegs))
    counts = [1, 4] if quick else list(SERVED_STREAMS)
    served_s = 2.0 if quick else 8.0
    stage("served", 12 * len(counts), lambda: served(assets, device, jpegs, counts, served_s))
    if cuda:
        stage("graphs", 30, lambda: graphs(assets, sizes, seconds / 2, compile_too=False))
        stage(
            "served_cpu_decode",
            15,
            lambda: served(assets, device, jpegs, [100], served_s, jpeg_on_gpu=False),
        )
        stage("compiled", 150, lambda: graphs(assets, [sizes[-1]], seconds / 2, compile_too=True))
    save()
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description="BlazePose GPU check (docs/gpu-check.sh)")
    sub = parser.add_subparsers(dest="command", required=True)
    prep = sub.add_parser("prepare", help="here: models, video, MediaPipe's landmarks")
    prep.add_argument("assets", type=Path)
    meas = sub.add_parser("measure", help="there: parity, throughput, decode")
    meas.add_argument("assets", type=Path)
    meas.add_argument("--device", choices=["cpu", "cuda"], default="cuda")
    meas.add_argument("--out", type=Path, required=True)
    meas.add_argument("--quick", action="store_true", help="few frames, short timings")
    meas.add_argument("--budget", type=float, default=420.0, help="seconds for every stage")
    args = parser.parse_args()
    _bare_packages()
    if args.command == "prepare":
        prepare(args.assets)
    else:
        from posestudio.engines.blazepose.gpureport import markdown

        print(markdown(measure(args.assets, args.device, args.out, args.quick, args.budget)))


if __name__ == "__main__":
    main()
