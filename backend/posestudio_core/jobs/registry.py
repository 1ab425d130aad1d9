"""Jobs by name: the registry, the context a running job sees, and running one to its end."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from posestudio_core.jobs.status import JobState, JobStatus, StatusStore

log = logging.getLogger(__name__)


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


def check_name(name: str) -> None:
    if name not in _JOBS:
        raise ValueError(f"no job named {name!r}")
