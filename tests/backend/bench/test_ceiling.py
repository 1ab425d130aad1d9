import pytest

from posestudio.bench.ceiling import measure_ceiling
from posestudio.bench.workload import Workload
from posestudio.engines import EngineRegistry
from posestudio.imaging import decode_jpeg

from .conftest import FakeEngine, fake_registry


def _decode(data: bytes):  # type: ignore[no-untyped-def]
    return decode_jpeg(data, max_width=4096, max_height=4096)


def test_each_worker_runs_its_own_engine_instance(workload: Workload) -> None:
    FakeEngine.instances.clear()
    registry = fake_registry()
    result = measure_ceiling(
        workload.frames,
        registry=registry,
        engine="fake",
        decode=_decode,
        workers=2,
        duration=0.2,
        warmup_frames=3,
    )
    busy = [engine for engine in FakeEngine.instances if engine.calls]
    assert len(busy) == 2
    assert all(len(engine.threads) == 1 for engine in busy)
    assert busy[0].threads != busy[1].threads
    assert result.workers == 2
    assert result.frames == sum(engine.calls for engine in busy) - 2 * 3
    assert result.fps == pytest.approx(result.frames / result.seconds)
    assert result.frame_ms.count == result.decode_ms.count == result.infer_ms.count
    assert result.frame_ms.p50 is not None and result.frame_ms.p50 > 0
    assert result.cpu_ms_per_frame is not None and result.cpu_ms_per_frame > 0
    assert result.wait_cores is not None and result.wait_cores >= 0


def test_engines_go_back_to_the_registry(workload: Workload) -> None:
    registry = fake_registry()
    measure_ceiling(
        workload.frames, registry=registry, engine="fake", decode=_decode, workers=3, duration=0.05
    )
    # Three instances were built and all are idle again: three acquires need no build.
    FakeEngine.instances.clear()
    for _ in range(3):
        registry.acquire("fake")
    assert FakeEngine.instances == []


class BrokenEngine(FakeEngine):
    def process(self, rgb):  # type: ignore[no-untyped-def]
        raise RuntimeError("engine bug")

    def warm_up(self) -> None:
        pass


def test_an_engine_failure_is_raised_not_hidden(workload: Workload) -> None:
    registry = EngineRegistry({"broken": (BrokenEngine, "fails")})
    with pytest.raises(RuntimeError, match="engine bug"):
        measure_ceiling(
            workload.frames,
            registry=registry,
            engine="broken",
            decode=_decode,
            workers=2,
            duration=0.05,
        )


def test_worker_count_is_checked(workload: Workload) -> None:
    with pytest.raises(ValueError):
        measure_ceiling(
            workload.frames,
            registry=fake_registry(),
            engine="fake",
            decode=_decode,
            workers=0,
            duration=0.05,
        )


class FailsLaterEngine(FakeEngine):
    """Fails on its third frame: inside the timed loop when warm-up is two frames."""

    def process(self, rgb):  # type: ignore[no-untyped-def]
        if self.calls >= 2:
            raise RuntimeError("engine bug in the loop")
        return super().process(rgb)


def test_a_failure_inside_the_timed_loop_is_raised(workload: Workload) -> None:
    registry = EngineRegistry({"later": (FailsLaterEngine, "fails later")})
    with pytest.raises(RuntimeError, match="in the loop"):
        measure_ceiling(
            workload.frames,
            registry=registry,
            engine="later",
            decode=_decode,
            workers=2,
            duration=5.0,
            warmup_frames=2,
        )
