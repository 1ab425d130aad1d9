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
import functools
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


SERVED_STREAMS = (1, 10, 50, 100, 200)


def served(
    assets: Path, device: str, jpegs: list[bytes], counts: list[int], seconds: float, **config: Any
) -> list[dict[str, Any]]:
    """The server's own part at each stream count: the real stream manager, batch
    scheduler and engine (`posestudio.bench.inprocess`), streams of 720p JPEGs at 10 FPS."""
    from dataclasses import asdict

    import torch

    from posestudio.bench.inprocess import load_settings, sweep
    from posestudio.engines import EngineRegistry
    from posestudio.engines.blazepose.engine import BlazePoseConfig, BlazePoseEngine

    cuda = device == "cuda"
    settings = load_settings(
        "blazepose", workers=4 if cuda else 2, max_batch=64 if cuda else 8, max_wait_ms=2.0
    )
    engine_config = BlazePoseConfig(
        device=device, models_dir=assets, threads=0 if cuda else 1, **config
    )
    registry = EngineRegistry(
        {"blazepose": (lambda: BlazePoseEngine(engine_config), "blazepose")}, max_idle=1
    )
    registry.load("blazepose")

    def gpu_peak(reset: bool) -> float | None:
        if not cuda:
            return None
        if reset:
            torch.cuda.reset_peak_memory_stats()
            return None
        return round(torch.cuda.max_memory_allocated() / 2**20, 1)

    try:
        rows = sweep(
            settings,
            registry,
            jpegs,
            counts,
            fps=10.0,
            seconds=seconds,
            warmup=min(3.0, seconds),
            gpu_peak=gpu_peak,
        )
    finally:
        registry.close()
    return [{**asdict(row), **config} for row in rows]


def graphs(
    assets: Path, sizes: list[int], seconds: float, compile_too: bool
) -> list[dict[str, Any]]:
    """Whether CUDA graphs (and `torch.compile`) pay: the fp16 landmark net per batch, eager
    against one captured graph replayed, and compiled, with the outputs' largest difference."""
    import torch

    from posestudio.engines.blazepose.modules import landmark_net

    net = landmark_net(assets / "pose_landmark_full.tflite").to("cuda", torch.float16)

    def per_call(fn: Any) -> float:
        fn()
        torch.cuda.synchronize()
        calls, started = 0, time.perf_counter()
        while time.perf_counter() - started < seconds or calls < 3:
            fn()
            calls += 1
        torch.cuda.synchronize()
        return (time.perf_counter() - started) / calls * 1000

    rows = []
    compiled = torch.compile(net) if compile_too else None
    for n in sizes:
        x = torch.rand(n, 256, 256, 3, device="cuda", dtype=torch.float16)
        with torch.inference_mode():
            eager_ms = per_call(functools.partial(net, x))
            reference = net(x)
            side = torch.cuda.Stream()  # type: ignore[no-untyped-call]
            side.wait_stream(torch.cuda.current_stream())
            with torch.cuda.stream(side):
                for _ in range(3):
                    net(x)
            torch.cuda.current_stream().wait_stream(side)
            graph = torch.cuda.CUDAGraph()
            with torch.cuda.graph(graph):
                captured = net(x)
            graph_ms = per_call(graph.replay)
            graph_diff = max(
                float((a - b).abs().max()) for a, b in zip(captured, reference, strict=True)
            )
            row: dict[str, Any] = {
                "batch": n,
                "eager_ms": round(eager_ms, 3),
                "graph_ms": round(graph_ms, 3),
                "graph_max_diff": graph_diff,
            }
            if compiled is not None:
                started = time.perf_counter()
                compiled(x)
                row["compile_s"] = round(time.perf_counter() - started, 1)
                row["compiled_ms"] = round(per_call(functools.partial(compiled, x)), 3)
        rows.append(row)
        print("graphs", json.dumps(row), flush=True)
    return rows


def measure(assets: Path, device: str, out: Path, quick: bool, budget_s: float) -> dict[str, Any]:
    """Every stage in turn, the report rewritten after each, so a timeout loses only the
    stage it stopped; a stage that would not fit in what is left of `budget_s` is skipped."""
    import cv2
    import torch

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


def _failed(value: Any) -> bool:
    return isinstance(value, dict) and "error" in value


def markdown(report: dict[str, Any]) -> str:
    """The report as docs/benchmarks.md takes it; a failed stage shows its error."""
    lines = [f"device: {report['device']} ({report['gpu']}), torch {report['torch']}", ""]
    for key, value in report.items():
        if _failed(value):
            lines.append(f"- {key} failed: {value['error']}")
    if report.get("skipped"):
        lines.append(f"- skipped for time: {', '.join(report['skipped'])}")
    for key in ("fp32", "fp16"):
        p = report.get(f"parity_{key}")
        if p is not None and not _failed(p):
            lines.append(
                f"- parity {key}: static median {p['static']['median_pct']:.4f} % max "
                f"{p['static']['max_pct']:.3f} %; tracking median "
                f"{p['tracking']['median_pct']:.3f} % p95 {p['tracking']['p95_pct']:.3f} % "
                f"({p['tracking']['frames_disagreeing']} frames disagree)"
            )
        rows = report.get(f"throughput_{key}")
        if rows is None or _failed(rows):
            continue
        lines += [
            "",
            f"| {key} streams | poses/s | ms/landmark batch | ms/detector batch | GPU MiB |",
            "|---:|---:|---:|---:|---:|",
        ]
        for row in rows:
            mib = "-" if row["gpu_peak_mib"] is None else f"{row['gpu_peak_mib']:.0f}"
            lines.append(
                f"| {row['streams']} | {row['poses_per_s']:.1f} "
                f"| {row['ms_per_landmark_batch']:.2f} "
                f"| {row['ms_per_detector_batch']:.2f} | {mib} |"
            )
        lines.append("")
    d = report.get("decode")
    if d is not None and not _failed(d):
        lines.append(f"- JPEG 720p decode: OpenCV {d['cpu_opencv_per_s']:.0f}/s on one core")
        if "nvjpeg_per_s" in d:
            lines.append(f"- nvJPEG: {d['nvjpeg_per_s']:.0f}/s in batches of {d['nvjpeg_batch']}")
    dd = report.get("device_decode")
    if dd is not None and not _failed(dd):
        lines.append(
            f"- nvJPEG into the pipeline against OpenCV's decode: persons found "
            f"{dd['found_gpu_cpu']} of {dd['frames']}, "
            f"landmarks differ by {dd['max_px']} px at most"
        )
    for key in ("served", "served_cpu_decode"):
        rows = report.get(key)
        if rows is None or _failed(rows):
            continue
        from posestudio.bench.inprocess import LoadRow
        from posestudio.bench.inprocess import markdown as load_table

        fields = set(LoadRow.__dataclass_fields__)
        title = "720p streams at 10 FPS" + (", JPEGs decoded on the CPU" if "cpu" in key else "")
        lines += ["", f"{key}: {title}", ""]
        lines.append(
            load_table([LoadRow(**{k: v for k, v in r.items() if k in fields}) for r in rows])
        )
    for key in ("graphs", "compiled"):
        rows = report.get(key)
        if rows is None or _failed(rows):
            continue
        lines += ["", f"{key}: the fp16 landmark net, ms per batch", ""]
        lines.append("| batch | eager | CUDA graph | compiled | compile s | graph max diff |")
        lines.append("|---:|---:|---:|---:|---:|---:|")
        for r in rows:
            lines.append(
                f"| {r['batch']} | {r['eager_ms']} | {r['graph_ms']} | "
                f"{r.get('compiled_ms', '-')} | {r.get('compile_s', '-')} | "
                f"{r['graph_max_diff']:.2g} |"
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
    meas.add_argument("--budget", type=float, default=420.0, help="seconds for every stage")
    args = parser.parse_args()
    _bare_packages()
    if args.command == "prepare":
        prepare(args.assets)
    else:
        print(markdown(measure(args.assets, args.device, args.out, args.quick, args.budget)))


if __name__ == "__main__":
    main()
