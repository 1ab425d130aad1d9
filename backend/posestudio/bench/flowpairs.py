"""Flow control compared on a fixed-cost engine: `python -m posestudio.bench.flowpairs`.

On a shared machine the MediaPipe bench measures the neighbours' load as much as the
server (inference time doubled from one run to the next while this was written). Here
the engine sleeps a fixed `--service-ms` per frame (the GIL released, like MediaPipe's
graph), so processed fps, drops and latency show what the flow control does, not what
CPU the server got. Runs `window`, credits granted at each take (the first design,
`credit_at_turn=false`) and credits at each stream's turn back to back, at each client
count and round trip, `--repeat` times, with the load average beside each row.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing
import os
import time
from typing import Any

import numpy as np

from posestudio.bench.clients import ClientFlow
from posestudio.bench.delay import DelayProxy
from posestudio.bench.results import StepResult
from posestudio.bench.runner import BenchRun, Load, run_step
from posestudio.bench.server import Target
from posestudio.bench.serving import free_port, wait_ready
from posestudio.bench.workload import prepare_workload
from posestudio.engines import EngineRegistry, PoseEngine
from posestudio.protocol import Person

TOKEN = "flowpairs-token-0123456789abcdef"


class FixedCostEngine(PoseEngine):
    """Finds nobody after `SERVICE_S` seconds (a sleep: no CPU taken from anyone)."""

    name = "fixed"
    service_s = 0.025

    def process(self, rgb: np.ndarray) -> list[Person]:
        time.sleep(self.service_s)
        return []

    def reset(self) -> None:
        pass

    def warm_up(self) -> None:
        pass


def _serve(port: int, workers: int, service_s: float, at_turn: bool) -> None:
    import uvicorn

    from posestudio.app import create_app, fastapi_app
    from posestudio.runtime import build_runtime
    from posestudio.settings import Settings
    from posestudio.transports.limits import guard, server_options
    from posestudio_core.auth import TokenAuthenticator

    FixedCostEngine.service_s = service_s
    registry = EngineRegistry({"fixed": (FixedCostEngine, "fixed cost")}, max_idle=16)
    settings = Settings(
        environment="test",
        engines=["fixed"],
        default_engine="fixed",
        workers=workers,
        credit_at_turn=at_turn,
    )
    runtime = build_runtime(settings, authenticator=TokenAuthenticator(TOKEN), registry=registry)
    asgi = create_app(runtime)
    config = uvicorn.Config(
        guard(asgi, settings, fastapi_app(asgi).state.edge),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        **server_options(settings),
    )
    uvicorn.Server(config).run()


def _row(flow: str, rtt_ms: float, clients: int, result: StepResult) -> dict[str, Any]:
    data = result.as_dict()
    frames = data["frames"]
    return {
        "time": time.strftime("%H:%M:%S", time.gmtime()),
        "load": round(os.getloadavg()[0], 2),
        "rtt_ms": rtt_ms,
        "clients": clients,
        "flow": flow,
        "processed_fps": data["processed_fps"],
        "sent": frames["sent"],
        "dropped": frames["server_dropped"],
        "skipped": frames["client_skipped"],
        "e2e_p50": round(data["latency_ms"]["p50"], 1),
        "e2e_p95": round(data["latency_ms"]["p95"], 1),
        "queue_p50": data["server_parts_ms"]["queue_p50"],
        "up_bytes_per_pose": round(
            frames["sent"] * data["up_bytes_per_frame"] / max(1, frames["poses"])
        ),
    }


FLOWS: tuple[tuple[str, ClientFlow, bool], ...] = (
    ("window", "window", True),
    ("credits at take", "credits", False),
    ("credits at turn", "credits", True),
)
"""(label, client flow, the server's `credit_at_turn`)"""


async def _main(args: argparse.Namespace) -> list[dict[str, Any]]:
    spawn = multiprocessing.get_context("spawn")
    servers: dict[bool, tuple[str, Any]] = {}
    for at_turn in (True, False):
        port = free_port()
        process = spawn.Process(
            target=_serve,
            args=(port, args.workers, args.service_ms / 1000, at_turn),
            daemon=True,
        )
        process.start()
        servers[at_turn] = (f"http://127.0.0.1:{port}", process)
    rows: list[dict[str, Any]] = []
    try:
        for url, _ in servers.values():
            await asyncio.to_thread(wait_ready, url, 180.0)
        workload = prepare_workload(size=(args.width, args.height), limit=60)
        for _ in range(args.repeat):
            for rtt in args.rtt:
                for clients in args.clients:
                    for label, flow, at_turn in FLOWS:
                        url, process = servers[at_turn]
                        with contextlib.ExitStack() as stack:
                            target_url = url
                            if rtt > 0:
                                target_url = stack.enter_context(DelayProxy(url, rtt / 2000))
                            target = Target(target_url, TOKEN, process.pid, False, args.workers)
                            load = Load(fps=args.fps, flow=flow)
                            run = BenchRun(target, workload, load, args.duration, None)
                            result, _, _ = await run_step(run, clients=clients)
                        row = _row(label, rtt, clients, result)
                        rows.append(row)
                        print(json.dumps(row), flush=True)
    finally:
        for _, process in servers.values():
            process.terminate()
            process.join(10)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 10])
    parser.add_argument("--rtt", type=float, nargs="+", default=[0.0, 20.0, 50.0])
    parser.add_argument("--fps", type=float, default=10.0)
    parser.add_argument("--duration", type=float, default=8.0)
    parser.add_argument("--service-ms", type=float, default=25.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--width", type=int, default=640)
    parser.add_argument("--height", type=int, default=360)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--json", type=str, default=None)
    args = parser.parse_args()
    rows = asyncio.run(_main(args))
    if args.json:
        with open(args.json, "w") as out:
            json.dump(rows, out, indent=1)


if __name__ == "__main__":
    main()
