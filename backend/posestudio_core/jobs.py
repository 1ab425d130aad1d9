"""One job interface for every service: jobs by name, a context, two queues.

    @job("clip.render")
    def render(ctx: JobContext, payload: dict[str, Any]) -> None:
        ...
        ctx.progress(0.5)
        if ctx.cancelled():
            return

    queue = InProcessQueue(env)                    # the embedded default: a small thread pool
    queue = RqQueue(redis.Redis.from_url(url), env=None)  # RQ; `posestudio worker` runs them
    job_id = queue.enqueue("clip.render", {"clip_id": "cl_…"})
    queue.status(job_id)  # JobStatus(state="running", progress=0.5, …)

A job is a plain importable function registered by name that takes the context and a
JSON payload (ids, never objects). Its status and progress live where both the process
that enqueued it and the one that runs it can read them: in memory for the in-process
queue, in Redis for RQ. The context's `env` is what the process running the job gave its
queue or worker (the backend's database and storage), so payloads carry only ids.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_futures
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol

from pydantic import BaseModel

from posestudio_core.ids import new_id

if TYPE_CHECKING:
    import redis
    from rq import SimpleWorker

log = logging.getLogger(__name__)


class JobState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    COMPLETE = "complete"
    FAILED = "failed"


class JobStatus(BaseModel):
    id: str
    name: str
    state: JobState
    progress: float = 0.0
    detail: str | None = None
    error: str | None = None
    cancelled: bool = False
    updated: float = 0.0

    @property
    def finished(self) -> bool:
        return self.state in (JobState.COMPLETE, JobState.FAILED)


class JobContext:
    """What a running job sees: its id, its deadline, progress to report, a stop flag."""

    def __init__(
        self, job_id: str, store: StatusStore, *, deadline: float | None, env: Any = None
    ) -> None:
        self.job_id = job_id
        self.deadline = deadline
        self.env = env
        self._store = store
        self._reported = (-1.0, 0.0)

    def progress(self, fraction: float, detail: str | None = None) -> None:
        """Report progress 0..1 (written at most every 1% or 0.2 s, and at 1)."""
        fraction = min(1.0, max(0.0, fraction))
        last, at = self._reported
        now = time.monotonic()
        if fraction < 1.0 and fraction - last < 0.01 and now - at < 0.2 and detail is None:
            return
        self._reported = (fraction, now)
        self._store.update(self.job_id, progress=fraction, detail=detail)

    def cancelled(self) -> bool:
        """Whether the job should stop now: someone cancelled it, or its deadline passed."""
        if self.deadline is not None and time.time() > self.deadline:
            return True
        return self._store.is_cancelled(self.job_id)


JobFn = Callable[[JobContext, dict[str, Any]], None]


class _Registered:
    def __init__(self, fn: JobFn, retry_on: tuple[type[BaseException], ...], retries: int):
        self.fn = fn
        self.retry_on = retry_on
        self.retries = retries


_JOBS: dict[str, _Registered] = {}
# Backoff between attempts of a job that raised one of its `retry_on` errors.
RETRY_DELAYS_S = (0.5, 2.0, 5.0)


def job(
    name: str, *, retry_on: tuple[type[BaseException], ...] = (), retries: int = 2
) -> Callable[[JobFn], JobFn]:
    """Register a job function by name; `retry_on` errors (a storage hiccup) are retried
    up to `retries` times with backoff, any other error fails the job."""

    def register(fn: JobFn) -> JobFn:
        _JOBS[name] = _Registered(fn, retry_on, retries)
        return fn

    return register


def registered(name: str) -> bool:
    return name in _JOBS


class StatusStore(Protocol):
    def create(self, status: JobStatus) -> None: ...

    def get(self, job_id: str) -> JobStatus | None: ...

    def update(self, job_id: str, **fields: Any) -> None: ...

    def cancel(self, job_id: str) -> None: ...

    def is_cancelled(self, job_id: str) -> bool: ...


class MemoryStatusStore:
    """Statuses in this process (the in-process queue), kept for `keep_s` after the end."""

    def __init__(self, keep_s: float = 24 * 3600) -> None:
        self.keep_s = keep_s
        self._statuses: dict[str, JobStatus] = {}
        self._lock = threading.Lock()

    def create(self, status: JobStatus) -> None:
        with self._lock:
            self._expire()
            self._statuses[status.id] = status.model_copy(update={"updated": time.time()})

    def get(self, job_id: str) -> JobStatus | None:
        with self._lock:
            found = self._statuses.get(job_id)
            return None if found is None else found.model_copy()

    def update(self, job_id: str, **fields: Any) -> None:
        with self._lock:
            found = self._statuses.get(job_id)
            if found is not None:
                self._statuses[job_id] = found.model_copy(update={**fields, "updated": time.time()})

    def cancel(self, job_id: str) -> None:
        self.update(job_id, cancelled=True)

    def is_cancelled(self, job_id: str) -> bool:
        found = self.get(job_id)
        return found is not None and found.cancelled

    def _expire(self) -> None:
        horizon = time.time() - self.keep_s
        for key in [k for k, s in self._statuses.items() if s.finished and s.updated < horizon]:
            del self._statuses[key]


class RedisStatusStore:
    """Statuses as JSON under `<prefix>job:<id>` in Redis, expiring `keep_s` after the
    last change; read by the web process, written by the worker."""

    def __init__(self, connection: redis.Redis, prefix: str, keep_s: int = 24 * 3600) -> None:
        self.connection = connection
        self.prefix = prefix
        self.keep_s = keep_s

    def _key(self, job_id: str) -> str:
        return f"{self.prefix}job:{job_id}"

    def create(self, status: JobStatus) -> None:
        status = status.model_copy(update={"updated": time.time()})
        self.connection.set(self._key(status.id), status.model_dump_json(), ex=self.keep_s)

    def get(self, job_id: str) -> JobStatus | None:
        raw = self.connection.get(self._key(job_id))
        return None if raw is None else JobStatus.model_validate_json(raw)

    def update(self, job_id: str, **fields: Any) -> None:
        # One writer per job (its worker) besides `cancel`, which only sets a flag that
        # the worker's next write would otherwise lose: keep it under its own key too.
        found = self.get(job_id)
        if found is not None:
            changed = found.model_copy(update={**fields, "updated": time.time()})
            self.connection.set(self._key(job_id), changed.model_dump_json(), ex=self.keep_s)

    def cancel(self, job_id: str) -> None:
        self.connection.set(self._key(job_id) + ":cancel", b"1", ex=self.keep_s)

    def is_cancelled(self, job_id: str) -> bool:
        return bool(self.connection.exists(self._key(job_id) + ":cancel"))


def run_job(
    name: str,
    payload: dict[str, Any],
    job_id: str,
    store: StatusStore,
    *,
    deadline: float | None,
    env: Any,
) -> JobStatus | None:
    """Run one job to its end and record how it ended (both queues call this)."""
    entry = _JOBS.get(name)
    if entry is None:
        store.update(job_id, state=JobState.FAILED, error=f"no job named {name!r}")
        return store.get(job_id)
    store.update(job_id, state=JobState.RUNNING)
    ctx = JobContext(job_id, store, deadline=deadline, env=env)
    for attempt in range(entry.retries + 1):
        try:
            entry.fn(ctx, payload)
        except entry.retry_on as exc:
            if attempt >= entry.retries or ctx.cancelled():
                store.update(job_id, state=JobState.FAILED, error=_describe(exc))
                break
            log.warning("job %s (%s) failed, retrying: %s", job_id, name, exc)
            time.sleep(RETRY_DELAYS_S[min(attempt, len(RETRY_DELAYS_S) - 1)])
        except Exception as exc:  # every failure ends as a failed status, never silently
            log.exception("job %s (%s) failed", job_id, name)
            store.update(job_id, state=JobState.FAILED, error=_describe(exc))
            break
        else:
            if ctx.cancelled():  # it stopped early because it was told to
                why = "cancelled" if store.is_cancelled(job_id) else "ran past its deadline"
                store.update(job_id, state=JobState.FAILED, error=why)
            else:
                store.update(job_id, state=JobState.COMPLETE, progress=1.0)
            break
    return store.get(job_id)


def _describe(exc: BaseException) -> str:
    message = getattr(exc, "message", None) or str(exc)
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


def new_job_id() -> str:
    return new_id("jb_")


class JobQueue(Protocol):
    def enqueue(
        self,
        name: str,
        payload: dict[str, Any],
        *,
        job_id: str | None = None,
        timeout_s: float | None = None,
    ) -> str: ...

    def status(self, job_id: str) -> JobStatus | None: ...

    def cancel(self, job_id: str) -> None: ...

    def depth(self) -> int:
        """Jobs accepted and not started yet."""
        ...

    def start(self) -> None: ...

    def stop(self, timeout_s: float) -> None: ...


def _check_name(name: str) -> None:
    if name not in _JOBS:
        raise ValueError(f"no job named {name!r}")


class InProcessQueue:
    """Jobs on a small thread pool of this process (never the pose workers)."""

    def __init__(
        self, env: Any = None, *, workers: int = 2, store: MemoryStatusStore | None = None
    ) -> None:
        self.env = env
        self.workers = workers
        self.store = store or MemoryStatusStore()
        self._pool: ThreadPoolExecutor | None = None
        self._futures: dict[str, Future[Any]] = {}
        self._lock = threading.Lock()

    def start(self) -> None:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="job")

    def enqueue(
        self,
        name: str,
        payload: dict[str, Any],
        *,
        job_id: str | None = None,
        timeout_s: float | None = None,
    ) -> str:
        _check_name(name)
        if self._pool is None:
            raise RuntimeError("the job queue is not started")
        job_id = job_id or new_job_id()
        deadline = None if timeout_s is None else time.time() + timeout_s
        self.store.create(JobStatus(id=job_id, name=name, state=JobState.QUEUED))
        future = self._pool.submit(
            run_job, name, payload, job_id, self.store, deadline=deadline, env=self.env
        )
        with self._lock:
            self._futures[job_id] = future
        future.add_done_callback(lambda _: self._forget(job_id))
        return job_id

    def _forget(self, job_id: str) -> None:
        with self._lock:
            self._futures.pop(job_id, None)

    def status(self, job_id: str) -> JobStatus | None:
        return self.store.get(job_id)

    def cancel(self, job_id: str) -> None:
        self.store.cancel(job_id)

    def depth(self) -> int:
        with self._lock:
            ids = list(self._futures)
        return sum(1 for i in ids if (s := self.store.get(i)) and s.state is JobState.QUEUED)

    def stop(self, timeout_s: float) -> None:
        """Cancel what is running (jobs stop at their next check) and wait for it."""
        pool, self._pool = self._pool, None
        if pool is None:
            return
        with self._lock:
            pending = dict(self._futures)
        for job_id, future in pending.items():
            self.store.cancel(job_id)
            if future.cancel():
                self.store.update(job_id, state=JobState.FAILED, error="the server stopped")
        pool.shutdown(wait=False, cancel_futures=True)
        wait_futures(list(pending.values()), timeout=timeout_s)


# RQ's own timeout is a backstop past the job's deadline, which jobs check themselves.
RQ_TIMEOUT_MARGIN_S = 30
DEFAULT_TIMEOUT_S = 3600.0


class RqQueue:
    """Jobs on an RQ queue in Redis (JSON serializer); `worker()` runs them."""

    def __init__(
        self,
        connection: redis.Redis,
        *,
        queue_name: str = "posestudio",
        prefix: str = "posestudio:",
        keep_s: int = 24 * 3600,
        env: Any = None,
    ) -> None:
        from rq import Queue
        from rq.serializers import JSONSerializer

        self.connection = connection
        self.prefix = prefix
        self.keep_s = keep_s
        self.env = env
        self.store = RedisStatusStore(connection, prefix, keep_s)
        self.queue = Queue(queue_name, connection=connection, serializer=JSONSerializer)

    def start(self) -> None:
        """The connection is made on first use; nothing to start."""

    def stop(self, timeout_s: float) -> None:
        """Jobs belong to the workers; the web process only stops enqueuing."""

    def enqueue(
        self,
        name: str,
        payload: dict[str, Any],
        *,
        job_id: str | None = None,
        timeout_s: float | None = None,
    ) -> str:
        _check_name(name)
        job_id = job_id or new_job_id()
        timeout = DEFAULT_TIMEOUT_S if timeout_s is None else timeout_s
        self.store.create(JobStatus(id=job_id, name=name, state=JobState.QUEUED))
        self.queue.enqueue(
            "posestudio_core.jobs.rq_job",
            name,
            payload,
            self.prefix,
            self.keep_s,
            time.time() + timeout,
            job_id=job_id,
            job_timeout=int(timeout) + RQ_TIMEOUT_MARGIN_S,
            result_ttl=self.keep_s,
            failure_ttl=self.keep_s,
        )
        return job_id

    def status(self, job_id: str) -> JobStatus | None:
        return self.store.get(job_id)

    def cancel(self, job_id: str) -> None:
        self.store.cancel(job_id)

    def depth(self) -> int:
        return int(self.queue.count)

    def worker(self) -> SimpleWorker:
        """A worker for this queue that runs jobs in its own process, not forking per job;
        its jobs see `env` (set it first, as `posestudio worker` does)."""
        from rq import SimpleWorker
        from rq.serializers import JSONSerializer

        set_worker_env(self.env)
        return SimpleWorker([self.queue], connection=self.connection, serializer=JSONSerializer)


_worker_env: Any = None


def set_worker_env(env: Any) -> None:
    """What RQ jobs run by this process see as `ctx.env` (a worker sets it once)."""
    global _worker_env
    _worker_env = env


def rq_job(name: str, payload: dict[str, Any], prefix: str, keep_s: int, deadline: float) -> None:
    """The RQ job function: importable, JSON arguments only; runs the named job."""
    from rq import get_current_job

    current = get_current_job()
    if current is None:
        raise RuntimeError("rq_job runs inside an RQ worker")
    store = RedisStatusStore(current.connection, prefix, keep_s)
    if store.get(current.id) is None:  # expired while queued: start afresh
        store.create(JobStatus(id=current.id, name=name, state=JobState.QUEUED))
    run_job(name, payload, current.id, store, deadline=deadline, env=_worker_env)
