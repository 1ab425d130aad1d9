"""The real thing, briefly: MediaPipe ceiling, a backend subprocess, one stream."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from posestudio_cli.main import app


@pytest.mark.slow
def test_bench_one_stream_reports_every_figure(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    result = CliRunner().invoke(
        app, ["bench", "--clients", "1", "--duration", "3", "--json", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "served/ceiling" in result.output
    data = json.loads(out.read_text())
    assert data["ceiling"]["fps"] > 0
    assert data["ceiling"]["workers"] >= 1
    if data["ceiling"]["workers"] > 1:  # one stream is also compared with one bare worker
        assert data["ceiling_one_worker"]["workers"] == 1
        assert data["ceiling_one_worker"]["frame_ms"]["p50"] > 0
    [step] = data["sweep"]
    assert step["clients"] == 1
    assert step["frames"]["poses"] > 0
    assert step["frames"]["with_person"] == step["frames"]["poses"]
    assert step["image_sizes"] == [[1280, 720]]
    assert step["errors"] == {}
    for key in (
        "offered_fps",
        "processed_fps",
        "served_over_ceiling",
        "drop_rate",
        "up_bytes_per_frame",
        "down_bytes_per_message",
    ):
        assert step[key] is not None, key
    for key in ("p50", "p95", "p99"):
        assert step["latency_ms"][key] is not None
    assert step["server_ms"]["p50"] is not None
    assert step["overhead_ms"]["p50"] is not None
    assert step["server"]["cpu_percent"] is not None
    assert step["server"]["peak_rss"] > 0
    assert step["server"]["wait_percent"] is not None
    assert step["worker_busy"] > 0
    assert step["loop_cpu_ms_per_frame"] > 0
