from collections import Counter

import pytest

from posestudio.bench.clients import ClientLog, PoseTiming
from posestudio.bench.monitor import Usage
from posestudio.bench.results import soak_result, step_result


def _log(name: str, results: list[tuple[float, float, float]], **counts: int) -> ClientLog:
    timings = [PoseTiming(at, e2e, server, 0.5, 2.0, server - 3.0) for at, e2e, server in results]
    log = ClientLog(stream_id=name, results=timings, **counts)
    log.poses = len(results)
    return log


def test_throughput_counts_only_poses_inside_the_window() -> None:
    logs = [
        _log("a", [(100.5, 20.0, 15.0), (101.5, 30.0, 16.0), (102.5, 40.0, 17.0)], offered=4),
        _log("b", [(100.2, 25.0, 14.0)], offered=4, skipped=2, server_dropped=1),
    ]
    logs[0].sent, logs[1].sent = 4, 2
    logs[0].up_bytes, logs[1].up_bytes = 4000, 2000
    logs[0].down_bytes, logs[1].down_bytes = 3000, 1000
    logs[1].errors = Counter({"RATE_LIMITED": 1})
    step = step_result(
        logs,
        fps=2.0,
        duration=2.0,
        started=100.0,
        server=Usage(cpu_percent=150.0, loop_cpu_percent=10.0, peak_rss=1 << 20),
        client_cpu_percent=5.0,
        ceiling_fps=4.0,
        workers=2,
    )
    assert step.offered_fps == 4.0
    assert step.processed_fps == 1.5  # 102.5 lies after the 2 s window
    assert step.ceiling_ratio == 0.375
    assert step.drop_rate == pytest.approx(4 / 8)
    assert (step.client_skipped, step.server_dropped) == (2, 1)
    assert step.latency_ms.count == 4
    # e2e minus decode + inference (server - 1), every pose: 6, 15, 24, 12
    assert step.overhead_ms.p50 == 13.5
    assert step.up_bytes_per_frame == 1000.0
    assert step.down_bytes_per_message == 4000 / 5  # four poses and one error
    assert step.errors == {"RATE_LIMITED": 1}
    assert step.server_cpu_ms_per_pose == 1.5 * 2.0 * 1000 / 4
    assert step.loop_cpu_ms_per_frame == 0.1 * 2.0 * 1000 / 6
    assert step.server_parts_ms == {"queue_p50": 0.5, "decode_p50": 2.0, "infer_p50": 12.5}
    # In-window work: 14 + 15 + 13 ms over 2 workers x 2 s.
    assert step.worker_busy == pytest.approx((14 + 15 + 13) / 4000)
    as_dict = step.as_dict()
    assert as_dict["served_over_ceiling"] == 0.375
    assert as_dict["frames"]["client_skipped"] == 2


def test_soak_compares_the_last_window_with_the_first() -> None:
    first = [(10.0 + i / 10, 20.0, 1.0) for i in range(10)]
    last = [(12.0 + i / 10, 30.0, 1.0) for i in range(10)]
    logs = [_log("a", first + last)]
    usage = Usage(rss=[(0.1, 100), (0.9, 120), (2.1, 130), (2.9, 125)])
    step = step_result(
        logs,
        fps=10,
        duration=3.0,
        started=10.0,
        server=usage,
        client_cpu_percent=None,
        ceiling_fps=None,
    )
    soak = soak_result(step, logs, started=10.0, window_s=1.0)
    assert soak.p95_by_window == [20.0, None, 30.0]
    assert soak.p95_growth == 1.5
    assert soak.rss_by_window == [120, None, 130]
    assert soak.rss_growth_bytes == 10
