import hashlib
import os

from posestudio.bench.monitor import ProcessMonitor, run_delay_seconds


async def test_window_measures_cpu_and_memory_of_a_process() -> None:
    async with ProcessMonitor(os.getpid(), interval=0.01).window() as usage:
        data = b"x" * 1_000_000
        for _ in range(200):
            data = hashlib.sha256(data).digest() * 31_250
    assert usage.cpu_percent is not None and usage.cpu_percent > 0
    assert usage.peak_rss is not None and usage.peak_rss > 10_000_000
    assert usage.rss and usage.peak_rss == max(rss for _, rss in usage.rss)
    assert usage.wait_percent is not None and usage.wait_percent >= 0


def test_run_delay_reads_the_schedulers_account() -> None:
    before = run_delay_seconds(os.getpid())
    assert before is not None and before >= 0
    assert run_delay_seconds(-1) is None


async def test_an_unknown_process_gives_no_figures() -> None:
    async with ProcessMonitor(None).window() as usage:
        pass
    assert usage.cpu_percent is None and usage.peak_rss is None
