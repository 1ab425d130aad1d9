"""Time to first byte of the replay, export and analytics routes on a long session
(docs/benchmarks.md, "Sessions: first byte").

    python -m posestudio.sessions.firstbyte [--minutes 10] [--fps 30] [--rounds 5] [--bvh]

A real server (uvicorn on loopback, SQLite, local storage in a temporary folder) and a
synthetic session of one stream written straight into storage (`sessions/synthetic.py`:
squats every 3 s, chunks of one second, as the recorder writes them). Each route is
asked `--rounds` times over HTTP; the figures are the median and the worst time from
sending the request to the first byte of the body, and to the last.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from posestudio.app import create_app
from posestudio.bench.serving import served
from posestudio.runtime import build_runtime
from posestudio.sessions.service import Sessions
from posestudio.sessions.synthetic import STREAM_KEY, Squats, write_session
from posestudio.settings import Settings
from posestudio_core.auth import TokenAuthenticator

TOKEN = "firstbyte-bench-token-0123456789"


def _timed(
    client: httpx.Client, path: str, params: dict[str, float | str]
) -> tuple[float, float, int]:
    """(seconds to the first body byte, to the last, bytes) of one GET."""
    began = time.perf_counter()
    with client.stream("GET", path, params=params) as response:
        response.raise_for_status()
        first: float | None = None
        size = 0
        for piece in response.iter_raw():
            if first is None and piece:
                first = time.perf_counter() - began
            size += len(piece)
    total = time.perf_counter() - began
    return first if first is not None else total, total, size


def _row(name: str, samples: list[tuple[float, float, int]]) -> str:
    firsts = [s[0] * 1000 for s in samples]
    totals = [s[1] * 1000 for s in samples]
    return (
        f"| {name} | {statistics.median(firsts):.0f} | {max(firsts):.0f} | "
        f"{statistics.median(totals):.0f} | {samples[0][2] / 1e6:.2f} |"
    )


def measure(
    url: str, sid: str, rounds: int, duration_s: float, forget: Callable[[], None], bvh: bool
) -> list[str]:
    base = f"/api/sessions/{sid}"
    poses = f"{base}/streams/{STREAM_KEY}/poses"
    middle = duration_s / 2
    routes: list[tuple[str, str, dict[str, float | str], bool]] = [
        ("poses, whole session", poses, {}, False),
        ("poses, 10 s from the middle", poses, {"from": middle, "to": middle + 10}, False),
        ("poses, the last 10 s", poses, {"from": duration_s - 10}, False),
        ("export.jsonl", f"{base}/export.jsonl", {}, False),
        ("export.csv", f"{base}/export.csv", {}, False),
        ("export.parquet", f"{base}/export.parquet", {}, False),
        ("analytics, computed (cache emptied first)", f"{base}/analytics", {}, True),
        ("analytics, cached", f"{base}/analytics", {}, False),
        ("events (cached figures)", f"{base}/events", {}, False),
        (
            "analytics, 60 s from the middle, computed",
            f"{base}/analytics",
            {"from": middle, "to": middle + 60},
            True,
        ),
    ]
    lines = [
        "| route | first byte p50 (ms) | worst (ms) | whole body p50 (ms) | MB |",
        "|---|---|---|---|---|",
    ]
    headers = {"Authorization": f"Bearer {TOKEN}"}
    with httpx.Client(base_url=url, headers=headers, timeout=300) as client:
        _timed(client, f"{base}/analytics", {})  # warm the process (imports, first query)
        for name, path, params, cold in routes:
            samples = []
            for _ in range(rounds):
                if cold:
                    forget()
                samples.append(_timed(client, path, params))
            lines.append(_row(name, samples))
            print(lines[-1], flush=True)
    return lines


async def run(minutes: float, fps: float, rounds: int, bvh: bool) -> None:
    duration = minutes * 60
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(environment="test", data_dir=Path(tmp), token=TOKEN)
        sessions = Sessions(settings)
        runtime = build_runtime(
            settings, authenticator=TokenAuthenticator(TOKEN), sessions=sessions
        )
        sessions.database.upgrade_at_start()
        spec = Squats.regular(int(duration // 3) - 1, 3.0, duration_s=duration, fps=fps)
        began = time.perf_counter()
        sid = await asyncio.to_thread(
            write_session, sessions.database, sessions.storage, spec, owner="token"
        )
        stored = sum(
            len(sessions.storage.get(k)) for k in sessions.storage.list(f"sessions/{sid}/")
        )
        print(
            f"synthetic session: {minutes:g} min at {fps:g} fps ({int(duration * fps)} frames), "
            f"{stored / 1e6:.1f} MB of pose chunks, written in {time.perf_counter() - began:.1f} s"
        )
        async with served(create_app(runtime)) as url:
            await asyncio.to_thread(
                measure, url, sid, rounds, duration, lambda: sessions.analytics.forget(sid), bvh
            )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--fps", type=float, default=30.0)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--bvh", action="store_true", help="also export.bvh (slow: solved whole)")
    args = parser.parse_args(argv)
    asyncio.run(run(args.minutes, args.fps, args.rounds, args.bvh))


if __name__ == "__main__":
    main()
