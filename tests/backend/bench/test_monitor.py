import hashlib
import os

from posestudio.bench.monitor import ProcessMonitor


async def test_window_measures_cpu_and_memory_of_a_process() -> None:
    async with ProcessMonitor(os.getpid(), interval=0.01).window() as usage:
        data = b"x" * 1_000_000
        for _ in range(200):
            data = hashlib.sha256(data).digest() * 31_250
    assert usage.cpu_percent is not None and usage.cpu_percent > 0
    assert usage.peak_rss is not None and usage.peak_rss > 10_000_000
    assert usage.rss and usage.peak_rss == max(rss for _, rss in usage.rss)


async def test_an_unknown_process_gives_no_figures() -> None:
    async with ProcessMonitor(None).window() as usage:
        pass
    assert usage.cpu_percent is None and usage.peak_rss is None
