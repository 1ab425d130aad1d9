from posestudio.bench.runner import BenchRun, Load, run_idle_connections, run_soak, run_sweep
from posestudio.bench.server import Target
from posestudio.bench.workload import Workload


async def test_sweep_accounts_for_every_frame(backend: Target, workload: Workload) -> None:
    results = await run_sweep(
        BenchRun(backend, workload, Load(fps=20), duration=0.5, ceiling_fps=50.0), counts=[1, 3]
    )
    assert [r.clients for r in results] == [1, 3]
    for result in results:
        assert result.offered == result.clients * 10
        assert result.sent + result.client_skipped == result.offered
        assert result.poses + result.server_dropped + result.unanswered == result.sent
        assert result.poses > 0
        assert result.latency_ms.count == result.server_ms.count == result.poses
        assert result.image_sizes == [(64, 48)]
        assert result.processed_fps > 0
        assert result.ceiling_ratio == result.processed_fps / 50.0
        assert result.server.cpu_percent is not None and result.server.peak_rss
        assert result.up_bytes_per_frame is not None
        assert result.up_bytes_per_frame > min(map(len, workload.frames))
        assert result.down_bytes_per_message is not None and result.down_bytes_per_message > 0
        assert result.errors == {}
        assert result.worker_busy is not None and 0 < result.worker_busy < 1
        assert result.loop_cpu_ms_per_frame is not None and result.loop_cpu_ms_per_frame > 0


async def test_send_freely_never_skips_on_the_client(backend: Target, workload: Workload) -> None:
    [result] = await run_sweep(
        BenchRun(backend, workload, Load(fps=20, flow="flood"), duration=0.3, ceiling_fps=None),
        counts=[2],
    )
    assert result.client_skipped == 0
    assert result.sent == result.offered
    assert result.ceiling_ratio is None


async def test_soak_splits_latency_and_memory_into_windows(
    backend: Target, workload: Workload
) -> None:
    soak = await run_soak(
        BenchRun(backend, workload, Load(fps=20), duration=1.0, ceiling_fps=None),
        clients=2,
        window_s=0.5,
    )
    assert len(soak.p95_by_window) == 2
    assert all(p95 is not None for p95 in soak.p95_by_window)
    assert soak.p95_growth is not None
    assert len(soak.rss_by_window) == 2
    assert soak.rss_growth_bytes is not None


async def test_idle_connections_stay_connected_while_others_stream(
    backend: Target, workload: Workload
) -> None:
    result = await run_idle_connections(
        BenchRun(backend, workload, Load(fps=20), duration=0.3, ceiling_fps=None),
        idle=25,
        clients=2,
    )
    assert result.idle_connections == 25
    assert result.extra["idle_still_connected"] == 25
    assert result.poses > 0
