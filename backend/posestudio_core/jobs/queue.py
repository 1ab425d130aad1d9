"""The queue protocol both queues follow, and the in-process queue (a small thread pool)."""

from __future__ import annotations

import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_futures
from typing import Any, Protocol

from posestudio_core.ids import new_id
from posestudio_core.jobs.registry import check_name, run_job
from posestudio_core.jobs.status import JobState, JobStatus, MemoryStatusStore


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
        check_name(name)
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
