"""The bench's table (rich) and its machine-readable JSON."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table

from posestudio.bench.results import StepResult

if TYPE_CHECKING:
    from posestudio.bench.suite import BenchReport

COLUMNS = (
    "clients",
    "offered fps",
    "processed fps",
    "served/ceiling",
    "e2e p50 ms",
    "e2e p95 ms",
    "e2e p99 ms",
    "server p50 ms",
    "overhead p50 ms",
    "client skipped",
    "server dropped",
    "drop rate",
    "server CPU %",
    "CPU wait %",
    "CPU ms/pose",
    "loop ms/frame",
    "workers busy",
    "peak RSS MB",
    "up B/frame",
    "down B/msg",
)
"""The sweep table's columns. e2e: the frame's capture_ts to its pose's arrival at the client;
overhead: e2e minus that frame's own decode + inference, i.e. what serving adds."""


def _num(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def row(step: StepResult) -> list[str]:
    rss = step.server.peak_rss
    label = str(step.clients)
    if step.idle_connections:
        label += f" (+{step.idle_connections} idle)"
    return [
        label,
        _num(step.offered_fps),
        _num(step.processed_fps),
        _num(step.ceiling_ratio, 2),
        _num(step.latency_ms.p50),
        _num(step.latency_ms.p95),
        _num(step.latency_ms.p99),
        _num(step.server_ms.p50),
        _num(step.overhead_ms.p50),
        str(step.client_skipped),
        str(step.server_dropped),
        "-" if step.drop_rate is None else f"{step.drop_rate:.1%}",
        _num(step.server.cpu_percent, 0),
        _num(step.server.wait_percent, 0),
        _num(step.server_cpu_ms_per_pose),
        _num(step.loop_cpu_ms_per_frame, 2),
        "-" if step.worker_busy is None else f"{step.worker_busy:.0%}",
        "-" if rss is None else f"{rss / 2**20:.0f}",
        _num(step.up_bytes_per_frame, 0),
        _num(step.down_bytes_per_message, 0),
    ]


def table(steps: list[StepResult], title: str) -> Table:
    out = Table(title=title, title_justify="left")
    for name in COLUMNS:
        out.add_column(name, justify="left" if name == "clients" else "right", no_wrap=True)
    for step in steps:
        out.add_row(*row(step))
    return out


def markdown(steps: list[StepResult]) -> str:
    """The same table as Markdown, for docs/benchmarks.md."""
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    lines += ["| " + " | ".join(row(step)) + " |" for step in steps]
    return "\n".join(lines)


def render(report: BenchReport, console: Console) -> None:
    c = report.ceiling
    m = report.machine
    w = report.workload
    console.print(
        f"[bold]Machine[/bold] {m['cpus']} CPUs ({m['cpu_model']}), load average "
        f"{m['load_average_at_start']} at start, {m.get('load_average_at_end')} at end"
    )
    console.print(
        f"[bold]Workload[/bold] {w['frames']} frames of {w['source']} at "
        f"{w['size'][0]}x{w['size'][1]}, JPEG quality {w['quality']} "
        f"({w['mean_jpeg_bytes']} bytes on average), {report.options.fps:g} fps per client"
    )
    console.print(
        f"[bold]Ceiling[/bold] {c.workers} worker(s), bare decode + inference: "
        f"{c.fps:.1f} fps; per frame p50 {_num(c.frame_ms.p50)} ms "
        f"(decode {_num(c.decode_ms.p50)} + inference {_num(c.infer_ms.p50)}); "
        f"CPU {_num(c.cpu_ms_per_frame)} ms per frame on {_num(c.cpu_cores, 2)} cores, "
        f"kept waiting for {_num(c.wait_cores, 2)} cores' worth by other work"
    )
    if report.single is not None:
        one = report.single
        console.print(
            f"[bold]Ceiling, 1 worker[/bold] {one.fps:.1f} fps; per frame p50 "
            f"{_num(one.frame_ms.p50)} ms; CPU {_num(one.cpu_ms_per_frame)} ms per frame"
        )
    steps = list(report.sweep)
    if report.idle is not None:
        steps.append(report.idle)
    if steps:
        console.print(table(steps, f"Served ({report.options.duration:g} s per row)"))
    if report.soak is not None:
        s = report.soak
        growth = s.p95_growth
        rss = s.rss_growth_bytes
        console.print(table([s.step], f"Soak ({s.step.duration:g} s)"))
        console.print(
            f"[bold]Soak[/bold] p95 by {s.window_s:g} s window: "
            + ", ".join(_num(v) for v in s.p95_by_window)
            + f" ms; last/first {_num(growth, 2)}; server RSS change "
            + ("-" if rss is None else f"{rss / 2**20:+.1f} MB")
        )
    if report.idle is not None:
        console.print(
            f"[bold]Idle connections[/bold] {report.idle.extra.get('idle_still_connected')}"
            f" of {report.idle.idle_connections} still connected at the end"
        )
    errors: Counter[str] = Counter()
    for step in steps:
        errors.update(step.errors)
    if errors:
        console.print(f"[yellow]errors received:[/yellow] {dict(errors)}")


def write_markdown(report: BenchReport, path: Path) -> None:
    """The header lines and tables as Markdown, ready for docs/benchmarks.md."""
    c, m = report.ceiling, report.machine
    lines = [
        f"Machine: {m['cpus']} CPUs ({m['cpu_model']}), load average "
        f"{m['load_average_at_start']} at start, {m.get('load_average_at_end')} at end, "
        f"{m['date']}.",
        "",
        f"Ceiling, {c.workers} worker(s): {c.fps:.1f} fps, per frame p50 "
        f"{_num(c.frame_ms.p50)} ms (decode {_num(c.decode_ms.p50)} + inference "
        f"{_num(c.infer_ms.p50)}), CPU {_num(c.cpu_ms_per_frame)} ms per frame on "
        f"{_num(c.cpu_cores, 2)} cores, waiting {_num(c.wait_cores, 2)} cores' worth.",
    ]
    if report.single is not None:
        one = report.single
        lines.append(
            f"Ceiling, 1 worker: {one.fps:.1f} fps, per frame p50 {_num(one.frame_ms.p50)} ms, "
            f"CPU {_num(one.cpu_ms_per_frame)} ms per frame."
        )
    steps = list(report.sweep) + ([report.idle] if report.idle else [])
    steps += [report.soak.step] if report.soak else []
    lines += ["", markdown(steps), ""]
    path.write_text("\n".join(lines))


def write_json(report: BenchReport, path: Path) -> None:
    path.write_text(json.dumps(report.as_dict(), indent=2) + "\n")
