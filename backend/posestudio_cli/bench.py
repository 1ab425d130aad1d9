"""`posestudio bench`: served throughput and latency against the bare-loop ceiling."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from posestudio_cli.common import backend_settings


def bench(
    url: Annotated[
        str | None, typer.Option(help="Target this backend (default: start one on a free port)")
    ] = None,
    token: Annotated[
        str | None, typer.Option(help="Token for --url (default: POSE_STUDIO_TOKEN)")
    ] = None,
    clients: Annotated[str, typer.Option(help="Client counts to sweep, comma-separated")] = (
        "1,2,4,10"
    ),
    fps: Annotated[float, typer.Option(help="Frames per second per client")] = 10.0,
    size: Annotated[str, typer.Option(help="Frame size WxH")] = "1280x720",
    quality: Annotated[int, typer.Option(min=1, max=100, help="JPEG quality")] = 70,
    duration: Annotated[float, typer.Option(min=1, help="Seconds per sweep step")] = 10.0,
    workers: Annotated[
        int | None, typer.Option(help="Server and ceiling workers (default: the setting)")
    ] = None,
    flow: Annotated[
        str,
        typer.Option(
            help="How clients pace uploads: credits (send only against the server's credits, "
            "newest frame wins in the client), window (at most max_in_flight unanswered, the "
            "clients before credits), flood (every frame)"
        ),
    ] = "credits",
    rtt_ms: Annotated[
        float, typer.Option(help="Add this round trip (ms) between clients and backend")
    ] = 0.0,
    soak: Annotated[bool, typer.Option(help="Also soak: 10 streams for --soak-duration")] = False,
    soak_duration: Annotated[float, typer.Option(help="Soak seconds")] = 300.0,
    idle_connections: Annotated[
        int, typer.Option(help="Also hold this many idle connections while 10 stream")
    ] = 0,
    no_sweep: Annotated[bool, typer.Option(help="Skip the sweep (soak/idle only)")] = False,
    json_path: Annotated[
        Path | None, typer.Option("--json", help="Write the results as JSON here")
    ] = None,
    markdown_path: Annotated[
        Path | None, typer.Option("--markdown", help="Write the table as Markdown here")
    ] = None,
    engine: Annotated[
        str | None,
        typer.Option(help="Bench this engine (enabled and made the default for the run)"),
    ] = None,
) -> None:
    """Measure served throughput and latency against the engine's bare-loop ceiling."""
    from rich.console import Console

    from posestudio.bench.clients import parse_flow
    from posestudio.bench.report import render, write_json, write_markdown
    from posestudio.bench.suite import BenchOptions, run_bench
    from posestudio.client.sources import parse_size

    logging.basicConfig(level=logging.WARNING)
    if engine is not None:
        # The settings come from the environment, here and in the server the bench starts.
        enabled = os.environ.get("POSE_STUDIO_ENGINES", "mediapipe").split(",")
        os.environ["POSE_STUDIO_ENGINES"] = ",".join(dict.fromkeys([*enabled, engine]))
        os.environ["POSE_STUDIO_DEFAULT_ENGINE"] = engine
    counts = tuple(int(n) for n in clients.split(",") if n.strip())
    options = BenchOptions(
        url=url,
        token=token or os.environ.get("POSE_STUDIO_TOKEN"),
        clients=counts,
        fps=fps,
        size=parse_size(size),
        quality=quality,
        duration=duration,
        workers=workers,
        flow=parse_flow(flow),
        rtt_ms=rtt_ms,
        soak=soak,
        soak_duration=soak_duration,
        idle_connections=idle_connections,
        sweep=not no_sweep and bool(counts),
    )
    progress_console = Console(stderr=True) if sys.stderr.isatty() else None
    report = asyncio.run(run_bench(options, backend_settings(), progress_console))
    # A pipe gets the full-width table rather than rich's 80 columns.
    render(report, Console() if sys.stdout.isatty() else Console(width=320))
    if json_path is not None:
        write_json(report, json_path)
    if markdown_path is not None:
        write_markdown(report, markdown_path)
