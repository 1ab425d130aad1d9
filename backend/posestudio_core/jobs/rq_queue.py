"""Jobs on RQ in Redis: the Redis status store, the queue, and the job function RQ runs."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from posestudio_core.jobs.queue import new_job_id
from posestudio_core.jobs.registry import check_name, run_job
from posestudio_core.jobs.status import JobState, JobStatus

if TYPE_CHECKING:
    import redis
    from rq import SimpleWorker


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
        check_name(name)
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
