"""Engine registry: name -> factory, load status, and a pool of warmed instances."""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from posestudio.engines.base import EngineInfo, PoseEngine
from posestudio.engines.heap import trim_heap
from posestudio.engines.plugins import DEFAULT_MEMORY_BYTES, Discovery, discover
from posestudio.errors import Capacity, EngineUnavailable, UnknownEngine

log = logging.getLogger(__name__)

EngineFactory = Callable[[], PoseEngine]
CLOSE_TIMEOUT_S = 30.0


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
    hundreds of milliseconds while `reset()` costs nothing. Once closed, the registry
    builds nothing more, and an instance whose build was still running is closed as
    soon as it is built: no instance outlives the registry.
    """

    def __init__(
        self,
        factories: dict[str, tuple[EngineFactory, str]],
        *,
        max_idle: int = 2,
        footprints: dict[str, int] | None = None,
        max_instances: int | None = None,
    ) -> None:
        # Each idle instance holds its model (~150 MB for MediaPipe): keep a few warm
        # for quick starts, close the rest when streams stop.
        self.max_idle = max_idle
        self._entries = {
            name: _Entry(factory=factory, description=description)
            for name, (factory, description) in factories.items()
        }
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._building = 0
        self._closed = False
        # The bytes one instance of each engine holds, and the cap on instances of all
        # engines together (in use, idle and being built); None: no cap.
        self.footprints = {
            name: (footprints or {}).get(name, DEFAULT_MEMORY_BYTES) for name in factories
        }
        self.max_instances = max_instances

    @property
    def footprint(self) -> int:
        """The largest footprint among the enabled engines (what the budget plans with)."""
        return max(self.footprints.values(), default=DEFAULT_MEMORY_BYTES)

    def instances(self) -> int:
        """Instances that exist now: in use, idle, and being built."""
        with self._lock:
            return self._count()

    def _count(self) -> int:
        entries = self._entries.values()
        return self._building + sum(e.in_use + len(e.idle) for e in entries)

    @property
    def closed(self) -> bool:
        return self._closed

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

    @contextmanager
    def _building_one(self, *, counted: bool = False) -> Iterator[None]:
        """Counts a build (and what becomes of its instance) until it is settled;
        `counted`: the caller has counted it already, under the lock."""
        if not counted:
            with self._lock:
                if self._closed:
                    raise EngineUnavailable("the engine registry is closed (shutting down)")
                self._building += 1
        try:
            yield
        finally:
            with self._lock:
                self._building -= 1
                self._changed.notify_all()

    def _build(self, entry: _Entry) -> PoseEngine:
        engine = entry.factory()
        try:
            engine.warm_up()
        except BaseException:
            engine.close()
            raise
        entry.device = engine.device
        return engine

    def load(self, name: str) -> EngineInfo:
        """Build and warm one instance; a failure is recorded, not raised."""
        entry = self._entry(name)
        try:
            with self._building_one():
                engine = self._build(entry)
                with self._lock:
                    closed = self._closed
                    if not closed:
                        entry.loaded, entry.error = True, None
                        entry.idle.append(engine)
                if closed:
                    engine.close()
        except Exception as exc:  # an engine that cannot load is reported, not fatal
            log.warning("engine %s failed to load: %s", name, exc)
            entry.loaded, entry.error = False, f"{type(exc).__name__}: {exc}"
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
        if self._closed:
            raise EngineUnavailable("the engine registry is closed (shutting down)")
        if not entry.loaded:
            raise EngineUnavailable(
                f"engine {name!r} is not loaded: {entry.error or 'not loaded yet'}",
                details={"engine": name},
            )
        evicted: PoseEngine | None = None
        with self._lock:
            engine = entry.idle.pop() if entry.idle else None
            if engine is not None:
                entry.in_use += 1
                return engine
            limit = self.max_instances
            if limit is not None and self._count() >= limit:
                # Make room by closing another engine's idle instance, or refuse.
                other = next((e for e in self._entries.values() if e.idle), None)
                if other is None:
                    raise Capacity(
                        f"the server holds its limit of {limit} engine instances",
                        details={"limit": limit, "scope": "server"},
                    )
                evicted = other.idle.pop()
            if self._closed:
                raise EngineUnavailable("the engine registry is closed (shutting down)")
            # Counted under the same lock as the check, so concurrent builds cannot
            # overshoot the cap.
            self._building += 1
        with self._building_one(counted=True):
            if evicted is not None:
                evicted.close()
                trim_heap()
            try:
                engine = self._build(entry)
            except Exception as exc:
                raise EngineUnavailable(f"engine {name!r} failed: {exc}") from exc
            with self._lock:
                closed = self._closed
                if not closed:
                    entry.in_use += 1
            if closed:
                engine.close()
                raise EngineUnavailable("the engine registry is closed (shutting down)")
        return engine

    def release(self, name: str, engine: PoseEngine) -> None:
        entry = self._entry(name)
        engine.reset()
        with self._lock:
            entry.in_use -= 1
            keep = not self._closed and len(entry.idle) < self.max_idle
            if keep:
                entry.idle.append(engine)
        if not keep:
            engine.close()
            trim_heap()

    def close(self, timeout: float = CLOSE_TIMEOUT_S) -> bool:
        """Close the idle instances and wait for builds still running, which close theirs.

        Returns False when a build was still running after `timeout` seconds (its
        instance is then closed when it finishes).
        """
        with self._lock:
            self._closed = True
            idle = [engine for entry in self._entries.values() for engine in entry.idle]
            for entry in self._entries.values():
                entry.idle.clear()
        for engine in idle:
            engine.close()
        with self._lock:
            return self._changed.wait_for(lambda: self._building == 0, timeout)


def _unavailable(name: str, error: str) -> PoseEngine:
    raise EngineUnavailable(f"engine plugin {name!r} failed to import: {error}")


def default_registry(
    names: list[str],
    *,
    max_idle: int = 2,
    config: dict[str, dict[str, Any]] | None = None,
    max_instances: int | None = None,
    discovery: Discovery | None = None,
) -> EngineRegistry:
    """The installed engine plugins that `names` (from settings) enables, each with its
    config from `config` (settings' `engine_config`), validated by the plugin's model.

    A plugin that failed to import is listed, never loaded, with its error; an engine no
    plugin declares, or an invalid config, is refused here, at startup.
    """
    discovery = discovery if discovery is not None else discover()
    config = config or {}
    unknown = [
        n for n in [*names, *config] if n not in discovery.plugins and n not in discovery.failures
    ]
    if unknown:
        raise UnknownEngine(
            f"unknown engines in settings: {sorted(set(unknown))}",
            details={"available": sorted(discovery.plugins)},
        )
    configs = {
        key: plugin.configure(config.get(key))
        for key, plugin in discovery.plugins.items()
        if key in names or key in config
    }
    factories: dict[str, tuple[EngineFactory, str]] = {}
    for name in names:
        if name in discovery.failures:
            error = discovery.failures[name]
            factories[name] = (functools.partial(_unavailable, name, error), f"failed: {error}")
            continue
        plugin = discovery.plugins[name]
        factories[name] = (functools.partial(plugin.engine, configs[name]), plugin.description)
    footprints = {n: discovery.plugins[n].memory_bytes for n in names if n in discovery.plugins}
    return EngineRegistry(
        factories, max_idle=max_idle, footprints=footprints, max_instances=max_instances
    )
