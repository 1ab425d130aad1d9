"""Engine registry: name -> factory, load status, and a pool of warmed instances."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from posestudio.engines.base import EngineInfo, PoseEngine
from posestudio.errors import EngineUnavailable, UnknownEngine

log = logging.getLogger(__name__)

EngineFactory = Callable[[], PoseEngine]


def _mediapipe_factory() -> PoseEngine:
    from posestudio.engines.mediapipe import MediaPipePoseEngine

    return MediaPipePoseEngine()


def _mediapipe_batch_factory() -> PoseEngine:
    from posestudio.engines.mediapipe_batch import MediaPipeBatchEngine

    return MediaPipeBatchEngine()


BUILTIN_FACTORIES: dict[str, tuple[EngineFactory, str]] = {
    "mediapipe": (_mediapipe_factory, "MediaPipe BlazePose full, CPU"),
    "mediapipe-batch": (
        _mediapipe_batch_factory,
        "MediaPipe BlazePose full, CPU, batched (one graph per stream, one call)",
    ),
}


@dataclass
class _Entry:
    factory: EngineFactory
    description: str
    loaded: bool = False
    device: str = "unknown"
    error: str | None = None
    idle: list[PoseEngine] = field(default_factory=list)
    in_use: int = 0
    # Set when a load attempt has finished, either way; until then starts wait for it.
    settled: threading.Event = field(default_factory=threading.Event)


class EngineRegistry:
    """Engines by name. An instance serves one stream at a time and is reset on release.

    Warm instances are kept idle for reuse, since building and warming one costs
    hundreds of milliseconds while `reset()` costs nothing.
    """

    def __init__(
        self,
        factories: dict[str, tuple[EngineFactory, str]] | None = None,
        *,
        max_idle: int = 2,
    ) -> None:
        # Each idle instance holds its model (~150 MB for MediaPipe): keep a few warm
        # for quick starts, close the rest when streams stop.
        self.max_idle = max_idle
        self._entries = {
            name: _Entry(factory=factory, description=description)
            for name, (factory, description) in (factories or BUILTIN_FACTORIES).items()
        }
        self._lock = threading.Lock()

    @property
    def names(self) -> list[str]:
        return list(self._entries)

    def _entry(self, name: str) -> _Entry:
        try:
            return self._entries[name]
        except KeyError:
            raise UnknownEngine(
                f"unknown engine {name!r}", details={"available": self.names}
            ) from None

    def _build(self, entry: _Entry) -> PoseEngine:
        engine = entry.factory()
        engine.warm_up()
        entry.device = engine.device
        return engine

    def load(self, name: str) -> EngineInfo:
        """Build and warm one instance; a failure is recorded, not raised."""
        entry = self._entry(name)
        try:
            engine = self._build(entry)
        except Exception as exc:  # an engine that cannot load is reported, not fatal
            log.warning("engine %s failed to load: %s", name, exc)
            entry.loaded, entry.error = False, f"{type(exc).__name__}: {exc}"
        else:
            with self._lock:
                entry.loaded, entry.error = True, None
                entry.idle.append(engine)
        entry.settled.set()
        return self.info(name)

    def info(self, name: str) -> EngineInfo:
        entry = self._entry(name)
        return EngineInfo(
            name=name,
            loaded=entry.loaded,
            device=entry.device,
            description=entry.description,
            error=entry.error,
        )

    def infos(self) -> list[EngineInfo]:
        return [self.info(name) for name in self._entries]

    def acquire(self, name: str, wait_for_load: float = 120.0) -> PoseEngine:
        """An instance for one stream; blocking (builds one if none is idle).

        A start that comes while the engine is still loading (a client reconnecting to
        a restarted server) waits for the load instead of failing.
        """
        entry = self._entry(name)
        entry.settled.wait(wait_for_load)
        if not entry.loaded:
            raise EngineUnavailable(
                f"engine {name!r} is not loaded: {entry.error or 'not loaded yet'}",
                details={"engine": name},
            )
        with self._lock:
            engine = entry.idle.pop() if entry.idle else None
            entry.in_use += 1
        if engine is None:
            try:
                engine = self._build(entry)
            except Exception as exc:
                with self._lock:
                    entry.in_use -= 1
                raise EngineUnavailable(f"engine {name!r} failed: {exc}") from exc
        return engine

    def release(self, name: str, engine: PoseEngine) -> None:
        entry = self._entry(name)
        engine.reset()
        with self._lock:
            entry.in_use -= 1
            keep = len(entry.idle) < self.max_idle
            if keep:
                entry.idle.append(engine)
        if not keep:
            engine.close()

    def close(self) -> None:
        with self._lock:
            for entry in self._entries.values():
                for engine in entry.idle:
                    engine.close()
                entry.idle.clear()


def default_registry(names: list[str], *, max_idle: int = 2) -> EngineRegistry:
    """The built-in engines that `names` (from settings) enables."""
    unknown = [n for n in names if n not in BUILTIN_FACTORIES]
    if unknown:
        raise UnknownEngine(f"unknown engines in settings: {unknown}")
    return EngineRegistry({n: BUILTIN_FACTORIES[n] for n in names}, max_idle=max_idle)
