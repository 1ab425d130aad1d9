import hashlib
import os

from posestudio.bench.monitor import ProcessMonitor, run_delay_between, run_delays


async def test_window_measures_cpu_and_memory_of_a_process() -> None:
    async with ProcessMonitor(os.getpid(), interval=0.01).window() as usage:
        data = b"x" * 1_000_000
        for _ in range(200):
            data = hashlib.sha256(data).digest() * 31_250
    assert usage.cpu_percent is not None and usage.cpu_percent > 0
    assert usage.peak_rss is not None and usage.peak_rss > 10_000_000
    assert usage.rss and usage.peak_rss == max(rss for _, rss in usage.rss)
    assert usage.wait_percent is not None and usage.wait_percent >= 0


def test_run_delays_read_the_schedulers_account_per_thread() -> None:
    delays = run_delays(os.getpid())
    assert delays is not None and str(os.getpid()) in delays
    assert run_delays(-1) is None


def test_run_delay_between_leaves_out_ended_threads() -> None:
    before = {"1": 1_000_000_000, "2": 5_000_000_000}
    after = {"1": 1_500_000_000, "3": 250_000_000}  # thread 2 ended, 3 started
    assert run_delay_between(before, after) == 0.75
    assert run_delay_between(None, after) is None


async def test_an_unknown_process_gives_no_figures() -> None:
    async with ProcessMonitor(None).window() as usage:
        pass
    assert usage.cpu_percent is None and usage.peak_rss is None
