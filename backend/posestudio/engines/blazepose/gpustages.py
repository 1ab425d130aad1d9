"""The GPU check's measurements (`gpucheck.py` runs them in turn): parity against
MediaPipe's recorded landmarks, batch throughput, JPEG decode, the served pipeline at
1-200 streams, CUDA graphs and `torch.compile`. Each returns plain JSON-able figures."""

from __future__ import annotations

import functools
import json
import time
from pathlib import Path
from typing import Any

import numpy as np

STATIC_EVERY = 6
"""Static mode is compared on every sixth frame of the video."""


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
