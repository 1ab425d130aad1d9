from __future__ import annotations

import threading

import pytest

from posestudio.engines import EngineRegistry, PoseEngine, default_registry
from posestudio.errors import Capacity, EngineUnavailable, UnknownEngine
from tests.utils.server import wait_until


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


def test_instances_of_every_engine_together_are_capped() -> None:
    built: list[Tracked] = []

    def build() -> Tracked:
        built.append(Tracked())
        return built[-1]

    registry = EngineRegistry(
        {"one": (build, "finds nobody"), "two": (build, "finds nobody")},
        max_idle=2,
        max_instances=2,
    )
    assert registry.load("one").loaded
    assert registry.load("two").loaded
    assert registry.instances() == 2
    first = registry.acquire("one")
    # No idle "one" left: the idle "two" is closed to make room for a second "one".
    idle_two = built[1]
    second = registry.acquire("one")
    assert idle_two.closed
    assert registry.instances() == 2
    with pytest.raises(Capacity) as refused:
        registry.acquire("two")
    assert refused.value.details == {"limit": 2, "scope": "server"}
    registry.release("one", second)
    assert registry.acquire("one") is second
    registry.release("one", first)


class Tracked(StillEngine):
    """Knows whether it was closed."""

    def __init__(self) -> None:
        self.closed = False

    def close(self) -> None:
        self.closed = True


class SlowFactory:
    """Builds a `Tracked` engine once told to; says when a build has begun."""

    def __init__(self) -> None:
        self.started = threading.Event()
        self.release = threading.Event()
        self.built: list[Tracked] = []

    def __call__(self) -> PoseEngine:
        self.started.set()
        assert self.release.wait(10)
        engine = Tracked()
        self.built.append(engine)
        return engine


def test_a_load_still_running_at_close_closes_its_instance() -> None:
    factory = SlowFactory()
    registry = EngineRegistry({"slow": (factory, "loads when told")})
    loader = threading.Thread(target=registry.load, args=("slow",))
    loader.start()
    assert factory.started.wait(10)
    # The build is still running: close cannot wait for it here.
    assert registry.close(timeout=0) is False
    factory.release.set()
    loader.join(10)
    [engine] = factory.built
    assert engine.closed, "an instance built after close was left open"
    with pytest.raises(EngineUnavailable, match="closed"):
        registry.acquire("slow")


def test_close_waits_for_a_build_in_flight_and_closes_it() -> None:
    factory = SlowFactory()
    registry = EngineRegistry({"slow": (factory, "loads when told")})
    factory.release.set()
    assert registry.load("slow").loaded
    held = registry.acquire("slow")  # the idle instance; the next acquire builds one
    factory.release.clear()
    factory.started.clear()
    refused: list[EngineUnavailable] = []

    def acquire_during_close() -> None:
        try:
            registry.acquire("slow")
        except EngineUnavailable as exc:
            refused.append(exc)

    building = threading.Thread(target=acquire_during_close)
    building.start()
    assert factory.started.wait(10)
    closed: list[bool] = []
    closer = threading.Thread(target=lambda: closed.append(registry.close(timeout=10)))
    closer.start()
    wait_until(lambda: registry.closed, timeout=10)
    factory.release.set()
    closer.join(15)
    building.join(15)
    assert closed == [True]
    assert len(refused) == 1 and "closed" in refused[0].message
    assert len(factory.built) == 2 and factory.built[1].closed
    # An instance a stream still held is closed when it comes back.
    assert not held.closed  # type: ignore[attr-defined]
    registry.release("slow", held)
    assert held.closed  # type: ignore[attr-defined]
