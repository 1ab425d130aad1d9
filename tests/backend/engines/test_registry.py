from __future__ import annotations

import threading

import pytest

from posestudio.engines import EngineRegistry, PoseEngine, default_registry
from posestudio.errors import EngineUnavailable, UnknownEngine


def broken_factory() -> PoseEngine:
    raise RuntimeError("no such accelerator")


def test_a_failed_load_is_reported_not_raised() -> None:
    registry = EngineRegistry({"broken": (broken_factory, "an engine that cannot load")})
    info = registry.load("broken")
    assert info.loaded is False
    assert "no such accelerator" in (info.error or "")
    with pytest.raises(EngineUnavailable, match="not loaded"):
        registry.acquire("broken")


def test_unknown_engines_are_refused() -> None:
    with pytest.raises(UnknownEngine):
        default_registry(["mediapipe", "openpose"])
    with pytest.raises(UnknownEngine):
        default_registry(["mediapipe"]).acquire("openpose")


def test_instances_are_never_shared_and_are_reused_after_release() -> None:
    registry = default_registry(["mediapipe"])
    assert registry.load("mediapipe").loaded
    first = registry.acquire("mediapipe")
    second = registry.acquire("mediapipe")
    assert first is not second
    registry.release("mediapipe", first)
    assert registry.acquire("mediapipe") is first
    registry.close()


class StillEngine(PoseEngine):
    """A stand-in engine that finds nobody; it lets the registry's waiting be tested."""

    name = "still"

    def process(self, rgb: object) -> list:  # type: ignore[override]
        return []

    def reset(self) -> None:
        pass


def test_acquire_during_a_load_waits_for_it() -> None:
    release = threading.Event()

    def slow_factory() -> PoseEngine:
        release.wait(10)
        return StillEngine()

    registry = EngineRegistry({"slow": (slow_factory, "loads when told")})
    loader = threading.Thread(target=registry.load, args=("slow",))
    loader.start()
    acquired: list[PoseEngine] = []
    starter = threading.Thread(target=lambda: acquired.append(registry.acquire("slow")))
    starter.start()
    starter.join(0.2)
    assert starter.is_alive(), "acquire must wait while the engine loads"
    release.set()
    starter.join(10)
    loader.join(10)
    assert len(acquired) == 1 and isinstance(acquired[0], StillEngine)


class ClosingEngine(StillEngine):
    closed = 0

    def close(self) -> None:
        ClosingEngine.closed += 1


def test_idle_instances_beyond_the_cap_are_closed() -> None:
    registry = EngineRegistry({"still": (ClosingEngine, "finds nobody")}, max_idle=2)
    assert registry.load("still").loaded
    engines = [registry.acquire("still") for _ in range(5)]
    assert len({id(e) for e in engines}) == 5
    for engine in engines:
        registry.release("still", engine)
    assert ClosingEngine.closed == 3
    assert registry.acquire("still") in engines[:2]
