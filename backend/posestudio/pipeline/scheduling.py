"""Which scheduler runs an engine: the batch scheduler for batching engines, else the pump.

The kind of an engine shows only in its instances, so the first stream on an engine
takes one instance to look: a batching engine's instance becomes its scheduler's shared
engine; any other goes back to the registry's warm pool for that very stream.
"""

from __future__ import annotations

import asyncio

from posestudio.engines import BatchPoseEngine, EngineRegistry
from posestudio.metrics import ServerStats
from posestudio.pipeline.batching import BatchScheduler
from posestudio.pipeline.schedulers import Outlet, PumpScheduler, Scheduler, Workers
from posestudio.pipeline.work import FrameWork
from posestudio.settings import Settings


class Schedulers:
    def __init__(
        self,
        settings: Settings,
        registry: EngineRegistry,
        workers: Workers,
        stats: ServerStats,
        outlet: Outlet,
    ) -> None:
        self._settings = settings
        self._registry = registry
        self._workers = workers
        self._stats = stats
        self._outlet = outlet
        self._work = FrameWork(max_width=settings.max_width, max_height=settings.max_height)
        self.pump = PumpScheduler(registry, workers, self._work, outlet)
        self._by_engine: dict[str, Scheduler] = {}
        self._lock = asyncio.Lock()

    async def for_engine(self, name: str) -> Scheduler:
        scheduler = self._by_engine.get(name)
        if scheduler is not None:
            return scheduler
        async with self._lock:
            if name not in self._by_engine:
                self._by_engine[name] = await self._choose(name)
        return self._by_engine[name]

    async def _choose(self, name: str) -> Scheduler:
        engine = await asyncio.to_thread(self._registry.acquire, name)
        if not isinstance(engine, BatchPoseEngine):
            await asyncio.to_thread(self._registry.release, name, engine)
            return self.pump
        s = self._settings
        return BatchScheduler(
            name,
            engine,
            self._registry,
            self._workers,
            self._work,
            self._outlet,
            max_batch=s.batch_max_size,
            max_wait=s.batch_max_wait_ms / 1000,
            sizes=self._stats.batch(name),
        )

    async def close(self) -> None:
        async with self._lock:
            chosen = list({id(s): s for s in (self.pump, *self._by_engine.values())}.values())
            self._by_engine.clear()
        await asyncio.gather(*(scheduler.close() for scheduler in chosen))
