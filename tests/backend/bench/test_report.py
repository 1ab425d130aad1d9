import io
import json
from pathlib import Path

from rich.console import Console

from posestudio.bench.ceiling import CeilingResult
from posestudio.bench.monitor import Usage
from posestudio.bench.report import COLUMNS, markdown, render, write_json, write_markdown
from posestudio.bench.results import StepResult
from posestudio.bench.stats import summarise
from posestudio.bench.suite import BenchOptions, BenchReport, machine_info


def _step(clients: int) -> StepResult:
    return StepResult(
        clients=clients,
        fps=10,
        duration=10,
        offered=100 * clients,
        sent=100 * clients,
        poses=90 * clients,
        poses_in_window=90 * clients,
        with_person=90 * clients,
        client_skipped=5,
        server_dropped=5,
        unanswered=0,
        latency_ms=summarise([30.0, 40.0]),
        server_ms=summarise([20.0]),
        overhead_ms=summarise([4.0]),
        server_parts_ms={"queue_p50": 1.0, "decode_p50": 2.0, "infer_p50": 17.0},
        server=Usage(cpu_percent=180.0, peak_rss=300 * 2**20),
        client_cpu_percent=4.0,
        up_bytes_per_frame=60_000,
        down_bytes_per_message=2_500,
        errors={},
        image_sizes=[(1280, 720)],
        ceiling_fps=50.0,
    )


def _report() -> BenchReport:
    ceiling = CeilingResult(
        workers=2,
        seconds=10,
        frames=500,
        fps=50.0,
        frame_ms=summarise([30.0]),
        decode_ms=summarise([3.0]),
        infer_ms=summarise([27.0]),
    )
    return BenchReport(
        options=BenchOptions(clients=(1, 10)),
        machine=machine_info(),
        workload={
            "source": "v.mp4",
            "frames": 120,
            "size": [1280, 720],
            "quality": 70,
            "mean_jpeg_bytes": 58_000,
        },
        ceiling=ceiling,
        target={"url": "started by the bench", "workers": 2},
        sweep=[_step(1), _step(10)],
    )


def test_render_prints_every_column_and_the_ceiling() -> None:
    out = io.StringIO()
    render(_report(), Console(file=out, width=400))
    text = out.getvalue()
    for column in COLUMNS:
        assert column in text
    assert "50.0 fps" in text
    assert "300" in text  # peak RSS in MB


def test_markdown_has_a_row_per_step() -> None:
    lines = markdown([_step(1), _step(10)]).splitlines()
    assert len(lines) == 4
    assert lines[3].startswith("| 10 | 100.0 | 90.0 | 1.80 | 35.0 | 39.5 | 39.9 | 20.0 | 4.0 |")


def test_json_holds_the_whole_report(tmp_path: Path) -> None:
    path = tmp_path / "bench.json"
    write_json(_report(), path)
    data = json.loads(path.read_text())
    assert data["ceiling"]["fps"] == 50.0
    assert [s["clients"] for s in data["sweep"]] == [1, 10]
    assert data["sweep"][0]["server"]["peak_rss"] == 300 * 2**20
    assert data["machine"]["cpus"] >= 1


def test_markdown_file_has_the_ceiling_and_the_table(tmp_path: Path) -> None:
    path = tmp_path / "bench.md"
    write_markdown(_report(), path)
    text = path.read_text()
    assert "Ceiling, 2 worker(s): 50.0 fps" in text
    assert "| clients | offered fps |" in text
    assert text.count("\n| 1 |") == 1 and text.count("\n| 10 |") == 1
