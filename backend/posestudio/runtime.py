"""The backend's runtime: every long-lived part, started in order and stopped in reverse.

    runtime = build_runtime(settings, authenticator=authenticator)
    await runtime.start()   # (accounts,) engines, workers, schedulers, sinks, transports
    ...
    await runtime.stop()    # the same steps undone, last first

`create_app(runtime)` serves it over HTTP and Socket.IO; the CLI, the tests and the
bench all build it here.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING

import socketio

from posestudio.body.stages import body_stages
from posestudio.body.stats import BodyStats
from posestudio.body.store import CalibrationStore
from posestudio.engines import EngineRegistry, default_registry
from posestudio.history import history_sink
from posestudio.metrics import ServerStats
from posestudio.pipeline import StreamManager
from posestudio.pipeline.reply import reply_sink
from posestudio.pipeline.schedulers import Workers
from posestudio.pipeline.scheduling import Schedulers
from posestudio.pipeline.stages import BUILTIN_STAGES
from posestudio.pipeline.viewers import Viewers
from posestudio.settings import Settings
from posestudio.transports.limits import build_edge
from posestudio.transports.socketio import EventHandler, PoseNamespace, build_server
from posestudio.transports.webrtc import WebRTCPeers
from posestudio_core.auth import Authenticator
from posestudio_core.jobs import JobQueue
from posestudio_core.permissions import Action

if TYPE_CHECKING:
    from posestudio.accounts.service import Accounts
    from posestudio.robots.service import Robots
    from posestudio.sessions.service import Sessions

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Step:
    name: str
    start: Callable[[], Awaitable[None]]
    stop: Callable[[], Awaitable[None]]


class Runtime:
    """What `build_runtime` made; `start` and `stop` run its steps."""

    def __init__(
        self,
        settings: Settings,
        authenticator: Authenticator,
        registry: EngineRegistry,
        accounts: Accounts | None = None,
        sessions: Sessions | None = None,
        jobs: JobQueue | None = None,
        robots: Robots | None = None,
    ) -> None:
        self.settings = settings
        self.robots = robots
        self.accounts = accounts
        self.sessions = sessions
        self.events: dict[str, tuple[Action, EventHandler]] = {}
        self.authenticator = authenticator
        self.registry = registry
        self.stats = ServerStats()
        self.body = BodyStats()
        self.manager = StreamManager(settings, registry, self.stats)
        self.viewers = Viewers(self.manager)
        self.edge = build_edge(settings)
        self.sio: socketio.AsyncServer = build_server(settings, self.edge, self.stats.errors)
        self.webrtc = WebRTCPeers(settings, self.manager)
        self.executor: ThreadPoolExecutor | None = None
        self.schedulers: Schedulers | None = None
        self.loading: asyncio.Future[list[object]] | None = None
        self.draining = False
        accounts_step = (
            (Step("accounts", self._start_accounts, self._stop_accounts),) if accounts else ()
        )
        # Sessions start after the accounts (the same database, migrated) and stop after
        # the streams have closed (the schedulers' step), so every recording is flushed.
        sessions_step = (
            (Step("sessions", self._start_sessions, self._stop_sessions),) if sessions else ()
        )
        if jobs is None and sessions is not None:
            from posestudio.jobs import JobEnv, build_queue

            jobs = build_queue(settings, JobEnv(settings, sessions.database, sessions.storage))
        self.jobs = jobs
        # Jobs (clips, exports) read the sessions' database and storage: they start after
        # the sessions and stop (cancelled, then awaited) before them.
        jobs_step = (Step("jobs", self._start_jobs, self._stop_jobs),) if jobs else ()
        # Robots (the registry in the same database) stop before the streams close, so
        # that every lease ends with its robot told to stop and its audit row written.
        robots_step = (Step("robots", self._start_robots, self._stop_robots),) if robots else ()
        self.steps = (
            *accounts_step,
            *sessions_step,
            *jobs_step,
            *robots_step,
            Step("engines", self._load_engines, self._close_engines),
            Step("workers", self._start_workers, self._stop_workers),
            Step("schedulers", self._start_schedulers, self._stop_schedulers),
            Step("sinks", self._start_sinks, self._stop_sinks),
            Step("transports", self._start_transports, self._stop_transports),
        )
        self._started: list[Step] = []
        if sessions is not None:
            sessions.attach(self)
        if robots is not None:
            robots.attach(self)

    async def start(self) -> None:
        for step in self.steps:
            await step.start()
            self._started.append(step)
            log.debug("runtime: %s started", step.name)

    async def stop(self) -> None:
        self.draining = True
        while self._started:
            step = self._started.pop()
            try:
                await step.stop()
            except Exception:  # the remaining steps must still be undone
                log.exception("runtime: stopping %s failed", step.name)

    def add_event(self, event: str, action: Action, handler: EventHandler) -> None:
        """An extra acknowledged `/pose` event (before `start`): see `PoseNamespace.add_event`."""
        self.events[event] = (action, handler)

    # -- sessions: recovery and the writer thread -----------------------------------
    async def _start_sessions(self) -> None:
        assert self.sessions is not None
        await asyncio.to_thread(self.sessions.start)
        self.sessions.bind(asyncio.get_running_loop())

    async def _stop_sessions(self) -> None:
        assert self.sessions is not None
        await asyncio.to_thread(self.sessions.close)

    # -- jobs: the queue, and the clips' progress pushed to their owners ------------
    async def _start_jobs(self) -> None:
        assert self.jobs is not None
        await asyncio.to_thread(self.jobs.start)
        if self.sessions is not None:
            self.sessions.clips.start_pushes()

    async def _stop_jobs(self) -> None:
        assert self.jobs is not None
        if self.sessions is not None:
            await self.sessions.clips.stop_pushes()
        await asyncio.to_thread(self.jobs.stop, self.settings.shutdown_timeout_s / 2)

    # -- robots: the registry loaded, the audit writer and the lease reaper ----------
    async def _start_robots(self) -> None:
        assert self.robots is not None
        await self.robots.start()

    async def _stop_robots(self) -> None:
        assert self.robots is not None
        await self.robots.stop()

    # -- accounts: the database migrated before anyone can sign in ----------------
    async def _start_accounts(self) -> None:
        assert self.accounts is not None
        await asyncio.to_thread(self.accounts.start)

    async def _stop_accounts(self) -> None:
        assert self.accounts is not None
        await asyncio.to_thread(self.accounts.close)

    # -- engines: load in the background; /ready says when ------------------------
    async def _load_engines(self) -> None:
        self.loading = asyncio.gather(
            *(asyncio.to_thread(self.registry.load, name) for name in self.registry.names)
        )

    async def _close_engines(self) -> None:
        if self.loading is not None:
            # A load runs in a thread that cannot be interrupted: wait for it, so that the
            # instance it builds lands in the pool that `close` frees, not after it.
            await asyncio.gather(self.loading, return_exceptions=True)
        await asyncio.to_thread(self.registry.close)

    # -- workers ----------------------------------------------------------------
    async def _start_workers(self) -> None:
        self.executor = ThreadPoolExecutor(
            max_workers=self.settings.workers, thread_name_prefix="pose-worker"
        )

    async def _stop_workers(self) -> None:
        if self.executor is not None:
            executor, self.executor = self.executor, None
            await asyncio.to_thread(executor.shutdown, wait=True, cancel_futures=True)

    # -- schedulers -------------------------------------------------------------
    async def _start_schedulers(self) -> None:
        assert self.executor is not None
        workers = Workers(self.executor, self.settings.workers)
        self.schedulers = Schedulers(
            self.settings, self.registry, workers, self.stats, self.manager
        )
        self.manager.use(self.schedulers)

    async def _stop_schedulers(self) -> None:
        # Streams drain first (the frame in hand finishes and reaches the sinks).
        await self.manager.close()
        if self.schedulers is not None:
            await self.schedulers.close()

    # -- sinks and stages every stream gets ---------------------------------------
    async def _start_sinks(self) -> None:
        store = CalibrationStore(self.accounts.database) if self.accounts else None
        for stage in (*BUILTIN_STAGES, *body_stages(self.settings, self.body, store)):
            self.manager.add_stage_factory(stage)
        self.manager.add_sink_factory(reply_sink)
        self.manager.add_sink_factory(history_sink)

    async def _stop_sinks(self) -> None:
        """Sinks close with their streams (in the schedulers' step)."""

    # -- transports -------------------------------------------------------------
    async def _start_transports(self) -> None:
        namespace = PoseNamespace(
            self.manager, self.viewers, self.authenticator, self.stats, self.body
        )
        for event, (action, handler) in self.events.items():
            namespace.add_event(event, action, handler)
        self.sio.register_namespace(namespace)

    async def _stop_transports(self) -> None:
        """The server stops taking connections before the lifespan ends; WebRTC peers
        close here (their streams drain with the rest in the schedulers' step)."""
        await self.webrtc.close_all()


def build_runtime(
    settings: Settings,
    *,
    authenticator: Authenticator,
    registry: EngineRegistry | None = None,
    accounts: Accounts | None = None,
    sessions: Sessions | None = None,
    jobs: JobQueue | None = None,
    robots: Robots | None = None,
) -> Runtime:
    """Every part of the backend, wired and not yet started (with `accounts`, its
    database is migrated first and its routes installed by `create_app`; likewise
    `sessions`, which also adds `record` and `stop_record` to `/pose`, and a job queue
    for clips and exports: `jobs`, or the one the settings name; `robots`: the robots'
    registry, hub and `/robots` namespace)."""
    if registry is None:
        registry = default_registry(
            settings.engines,
            max_idle=settings.max_idle_engines,
            config=settings.engine_config,
            max_instances=settings.max_engine_instances,
        )
    return Runtime(settings, authenticator, registry, accounts, sessions, jobs, robots)
