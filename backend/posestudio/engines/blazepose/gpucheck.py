"""The figures a lent GPU is for, in one run (`docs/gpu-check.sh` drives it).

`prepare ASSETS` (here, with the project's venv): copies the two `.tflite` files out of the
mediapipe wheel and the real test video, and records MediaPipe's own landmarks on that
video (static and tracking), because the GPU machine has neither mediapipe nor pydantic.

`measure ASSETS --device cuda --out DIR` (there, with its own torch): parity against those
landmarks in fp32 and fp16; landmark and detector batch throughput at 1, 8, 32 and 64
streams of 720p frames with GPU memory; JPEG decode with nvJPEG (torchvision, batched)
against OpenCV on one core. Writes `DIR/gpu-check.json` and `DIR/gpu-check.md`.
`--device cpu --quick` is the dry run of the same code on a CPU.

Run as a file (`python3 backend/posestudio/engines/blazepose/gpucheck.py`): it then loads
the blazepose modules without `posestudio/engines/__init__`, whose imports (pydantic,
the protocol) the GPU machine lacks.
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
STATIC_EVERY = 6


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


def read_video(path: Path, size: tuple[int, int] | None = None) -> list[np.ndarray]:
    import cv2

    cap = cv2.VideoCapture(str(path))
    frames = []
    while True:
        ok, bgr = cap.read()
        if not ok:
            break
        if size is not None:
            bgr = cv2.resize(bgr, size, interpolation=cv2.INTER_LINEAR)
        frames.append(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
    cap.release()
    return frames


def prepare(assets: Path) -> None:
    """Here: models, video and MediaPipe's landmarks into `assets`."""
    from mediapipe.python.solutions import pose as mp_pose

    from posestudio.client.sources import test_video_path
    from posestudio.engines.blazepose.converter import (
        DETECTOR_PATH,
        LANDMARK_PATH,
        mediapipe_model,
    )

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


def _pipeline(assets: Path, device: str, half: bool) -> Any:
    import torch

    from posestudio.engines.blazepose.graph import Pipeline
    from posestudio.engines.blazepose.modules import detector_net, landmark_net

    dtype = torch.float16 if half else torch.float32
    return Pipeline(
        detector_net(assets / "pose_detection.tflite"),
        landmark_net(assets / "pose_landmark_full.tflite"),
        torch.device(device),
        dtype,
    )


def _sync(device: str) -> None:
    import torch

    if device == "cuda":
        torch.cuda.synchronize()


def parity(assets: Path, device: str, half: bool, limit: int | None) -> dict[str, Any]:
    import torch

    from posestudio.engines.blazepose.graph import Settings, Track

    pipe = _pipeline(assets, device, half)
    frames = read_video(assets / "video.mp4")[:limit]
    refs = np.load(assets / "mediapipe.npz")
    h, w = frames[0].shape[:2]
    diag = float(np.hypot(w, h))
    out: dict[str, Any] = {}
    for mode, static in (("static", True), ("tracking", False)):
        used = frames[::STATIC_EVERY] if static else frames
        errors, disagree = [], 0
        track = Track()
        settings = Settings(static_image_mode=static)
        for rgb, ref in zip(used, refs[mode], strict=False):
            ours = pipe.run([(track, torch.from_numpy(rgb).to(device))], settings)[0]
            missing = bool(np.isnan(ref).any())
            disagree += (ours is None) != missing
            if ours is None or missing:
                continue
            d = np.hypot(
                (ours.landmarks[:, 0] - ref[:, 0]) * w, (ours.landmarks[:, 1] - ref[:, 1]) * h
            )
            errors.append(d[ref[:, 2] > 0.5] / diag * 100)
        e = np.concatenate(errors) if errors else np.zeros(1)
        out[mode] = {
            "frames": len(used),
            "frames_disagreeing": disagree,
            "median_pct": float(np.median(e)),
            "p95_pct": float(np.percentile(e, 95)),
            "max_pct": float(e.max()),
        }
    return out


def throughput(
    assets: Path, device: str, half: bool, rgb: np.ndarray, sizes: list[int], seconds: float
) -> list[dict[str, Any]]:
    import torch

    from posestudio.engines.blazepose.graph import Settings, Track

    pipe = _pipeline(assets, device, half)
    image = torch.from_numpy(rgb).to(device)
    rows = []
    for n in sizes:
        items = [(Track(), image) for _ in range(n)]
        settings = Settings()
        pipe.run(items, settings)  # detect once; every later call is one landmark batch
        pipe.run(items, settings)
        if device == "cuda":
            torch.cuda.reset_peak_memory_stats()
        _sync(device)
        calls, started = 0, time.perf_counter()
        while time.perf_counter() - started < seconds or calls < 2:
            pipe.run(items, settings)
            calls += 1
        _sync(device)
        elapsed = time.perf_counter() - started
        det_calls, det_started = 0, time.perf_counter()
        while time.perf_counter() - det_started < seconds / 3 or det_calls < 2:
            pipe.detect([image] * n, 0.5)
            det_calls += 1
        _sync(device)
        det_elapsed = time.perf_counter() - det_started
        peak = torch.cuda.max_memory_allocated() / 2**20 if device == "cuda" else None
        rows.append(
            {
                "streams": n,
                "poses_per_s": n * calls / elapsed,
                "ms_per_landmark_batch": elapsed / calls * 1000,
                "ms_per_detector_batch": det_elapsed / det_calls * 1000,
                "gpu_peak_mib": peak,
            }
        )
    return rows


def decode_rate(device: str, jpegs: list[bytes], batch: int, seconds: float) -> dict[str, Any]:
    import cv2

    started, count = time.perf_counter(), 0
    while time.perf_counter() - started < seconds:
        cv2.imdecode(np.frombuffer(jpegs[count % len(jpegs)], np.uint8), cv2.IMREAD_COLOR)
        count += 1
    result: dict[str, Any] = {"cpu_opencv_per_s": count / (time.perf_counter() - started)}
    if device == "cuda":
        import torch
        from torchvision.io import ImageReadMode, decode_jpeg

        data = [torch.frombuffer(bytearray(j), dtype=torch.uint8) for j in jpegs[:batch]]
        decode_jpeg(data, mode=ImageReadMode.RGB, device="cuda")
        torch.cuda.synchronize()
        started, count = time.perf_counter(), 0
        while time.perf_counter() - started < seconds:
            decode_jpeg(data, mode=ImageReadMode.RGB, device="cuda")
            count += len(data)
        torch.cuda.synchronize()
        result["nvjpeg_per_s"] = count / (time.perf_counter() - started)
        result["nvjpeg_batch"] = len(data)
    return result


def device_decode_parity(assets: Path, device: str, jpegs: list[bytes]) -> dict[str, Any]:
    """The GPU path end to end: the same JPEGs decoded by nvJPEG into the pipeline against
    OpenCV's decode, landmarks compared in pixels of the 720p frame (fp32, static)."""
    import cv2
    import torch
    from torchvision.io import ImageReadMode, decode_jpeg

    from posestudio.engines.blazepose.graph import Settings, Track

    pipe = _pipeline(assets, device, False)
    settings = Settings(static_image_mode=True)
    data = [torch.frombuffer(bytearray(j), dtype=torch.uint8) for j in jpegs]
    on_gpu = [
        i.permute(1, 2, 0).contiguous()
        for i in decode_jpeg(data, mode=ImageReadMode.RGB, device="cuda")
    ]
    on_cpu = [
        torch.from_numpy(
            cv2.cvtColor(
                cv2.imdecode(np.frombuffer(j, np.uint8), cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB
            )
        ).to(device)
        for j in jpegs
    ]
    gpu_out = pipe.run([(Track(), image) for image in on_gpu], settings)
    cpu_out = pipe.run([(Track(), image) for image in on_cpu], settings)
    diffs = [
        float(np.abs((g.landmarks[:, :2] - c.landmarks[:, :2]) * [1280, 720]).max())
        for g, c in zip(gpu_out, cpu_out, strict=True)
        if g is not None and c is not None
    ]
    found = sum(o is not None for o in gpu_out), sum(o is not None for o in cpu_out)
    return {"frames": len(jpegs), "found_gpu_cpu": found, "max_px": max(diffs, default=None)}


def measure(assets: Path, device: str, out: Path, quick: bool) -> dict[str, Any]:
    import cv2
    import torch

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
    }
    for half in [False, True] if device == "cuda" else [False]:
        key = "fp16" if half else "fp32"
        report[f"parity_{key}"] = parity(assets, device, half, 24 if quick else None)
        print(key, json.dumps(report[f"parity_{key}"]), flush=True)
        report[f"throughput_{key}"] = throughput(assets, device, half, hd[0], sizes, seconds)
        print(key, json.dumps(report[f"throughput_{key}"]), flush=True)
    report["decode"] = decode_rate(device, jpegs * 8, 32, seconds)
    if device == "cuda":
        report["device_decode"] = device_decode_parity(assets, device, jpegs)
        print("device decode", json.dumps(report["device_decode"]), flush=True)
    out.mkdir(parents=True, exist_ok=True)
    (out / "gpu-check.json").write_text(json.dumps(report, indent=2))
    (out / "gpu-check.md").write_text(markdown(report))
    return report


def markdown(report: dict[str, Any]) -> str:
    lines = [f"device: {report['device']} ({report['gpu']}), torch {report['torch']}", ""]
    for key in ("fp32", "fp16"):
        if f"parity_{key}" not in report:
            continue
        p = report[f"parity_{key}"]
        lines.append(
            f"- parity {key}: static median {p['static']['median_pct']:.4f} % max "
            f"{p['static']['max_pct']:.3f} %; tracking median "
            f"{p['tracking']['median_pct']:.3f} % p95 {p['tracking']['p95_pct']:.3f} % "
            f"({p['tracking']['frames_disagreeing']} frames disagree)"
        )
        lines += [
            "",
            f"| {key} streams | poses/s | ms/landmark batch | ms/detector batch | GPU MiB |",
            "|---:|---:|---:|---:|---:|",
        ]
        for row in report[f"throughput_{key}"]:
            mib = "-" if row["gpu_peak_mib"] is None else f"{row['gpu_peak_mib']:.0f}"
            lines.append(
                f"| {row['streams']} | {row['poses_per_s']:.1f} "
                f"| {row['ms_per_landmark_batch']:.2f} "
                f"| {row['ms_per_detector_batch']:.2f} | {mib} |"
            )
        lines.append("")
    d = report["decode"]
    lines.append(f"- JPEG 720p decode: OpenCV {d['cpu_opencv_per_s']:.0f}/s on one core")
    if "nvjpeg_per_s" in d:
        lines.append(f"- nvJPEG: {d['nvjpeg_per_s']:.0f}/s in batches of {d['nvjpeg_batch']}")
    if "device_decode" in report:
        dd = report["device_decode"]
        lines.append(
            f"- nvJPEG into the pipeline against OpenCV's decode: persons found "
            f"{dd['found_gpu_cpu']} of {dd['frames']}, "
            f"landmarks differ by {dd['max_px']} px at most"
        )
    return "\n".join(lines) + "\n"


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
    args = parser.parse_args()
    _bare_packages()
    if args.command == "prepare":
        prepare(args.assets)
    else:
        print(markdown(measure(args.assets, args.device, args.out, args.quick)))


if __name__ == "__main__":
    main()
