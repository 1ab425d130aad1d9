"""Benchmark (not a test): the studio's own sender in Chromium over WebRTC against Socket.IO.

The Python reference client encodes VP8 in aiortc; the studio hands its camera track to
the browser's native encoder, which is what a person on a LAN uses. This runs the built
studio in headless Chromium with the real person video as its fake camera against a real
`posestudio serve` (WebRTC on), one stream at a time, alternating the transports, and
prints end-to-end latency (capture to pose shown, the tile's own figures), poses per
second, upstream bytes per frame and the server's CPU per pose.

    .venv/bin/python -m tests.frontend.bench_browser_transports --rounds 3 --seconds 20

Needs what the browser tests need (`make system-deps setup`, the studio built). Record
the figures in `docs/benchmarks.md` with the machine's load.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, expect, sync_playwright

from posestudio.client.sources import test_video_path
from tests.utils.studio_backend import Backend, chromium, ffmpeg_y4m, studio_backend

LABELS = {"webrtc": "WebRTC", "socketio": "Socket.IO"}
WARM_S = 5.0

READ = """(start) => {
  const stats = window.__poseStudio.sessions[0].view.stats;
  const latencies = stats.history.filter(([t]) => t >= start).map(([, ms]) => ms);
  return { latencies, snapshot: stats.snapshot(performance.now()) };
}"""


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process so far (from /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def measure(browser: Browser, backend: Backend, transport: str, seconds: float) -> dict[str, Any]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.add_init_script(f"localStorage.setItem('poseStudio.transport', '{transport}')")
    try:
        page.goto(f"{backend.url}/?token={backend.token}")
        page.get_by_test_id("add-stream").click()
        tile = page.get_by_test_id("stream-tile").first
        expect(tile.get_by_test_id("transport")).to_have_text(LABELS[transport], timeout=20_000)
        expect(tile.get_by_test_id("stream-status")).to_have_text("live", timeout=30_000)
        page.wait_for_timeout(WARM_S * 1000)  # the measurement's warm-up, not a synchronisation
        assert backend.process is not None
        start = float(page.evaluate("Date.now()"))
        cpu = cpu_seconds(backend.process.pid)
        page.wait_for_timeout(seconds * 1000)  # the measured interval itself
        cpu = cpu_seconds(backend.process.pid) - cpu
        read = page.evaluate(READ, start)
    finally:
        context.close()
    latencies: list[float] = read["latencies"]
    snapshot = read["snapshot"]
    poses = len(latencies)
    return {
        "transport": transport,
        "poses": poses,
        "poses_per_s": round(poses / seconds, 2),
        "e2e_p50_ms": round(statistics.median(latencies), 1) if latencies else None,
        "e2e_p95_ms": round(percentile(latencies, 95), 1) if latencies else None,
        "up_bytes_per_frame": round(snapshot["bytesPerFrame"] or 0),
        "up_kbit_s": round((snapshot["bytesPerFrame"] or 0) * snapshot["sentPerSecond"] * 8 / 1000),
        "server_cpu_ms_per_pose": round(cpu * 1000 / poses, 1) if poses else None,
        "load": round(os.getloadavg()[0], 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="pairs, alternating transports")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--json", type=Path, help="write every run here")
    args = parser.parse_args()
    runs: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        camera = ffmpeg_y4m(
            tmp / "camera.y4m", "-i", str(test_video_path()), "-vf", "scale=640:480,format=yuv420p"
        )
        with (
            studio_backend(tmp, env={"POSE_STUDIO_WEBRTC_ENABLED": "true"}) as backend,
            sync_playwright() as playwright,
            chromium(playwright, camera) as browser,
        ):
            for round_ in range(args.rounds):
                order = ("socketio", "webrtc") if round_ % 2 == 0 else ("webrtc", "socketio")
                for transport in order:
                    run = measure(browser, backend, transport, args.seconds)
                    runs.append(run)
                    print(json.dumps(run), flush=True)
    for transport in LABELS:
        mine = [r for r in runs if r["transport"] == transport and r["e2e_p50_ms"] is not None]
        if mine:
            p50 = statistics.median(r["e2e_p50_ms"] for r in mine)
            p95 = statistics.median(r["e2e_p95_ms"] for r in mine)
            up = statistics.median(r["up_bytes_per_frame"] for r in mine)
            cpu = statistics.median(r["server_cpu_ms_per_pose"] for r in mine)
            print(
                f"{LABELS[transport]:9}  e2e p50 {p50:.1f} ms  p95 {p95:.1f} ms  "
                f"up {up:.0f} B/frame  server CPU {cpu:.1f} ms/pose  ({len(mine)} runs)"
            )
    if args.json:
        args.json.write_text(json.dumps(runs, indent=2))


if __name__ == "__main__":
    main()
