"""A job's status, and where it is kept: the store protocol and the in-memory store."""

from __future__ import annotations

import threading
import time
from enum import StrEnum
from typing import Any, Protocol

from pydantic import BaseModel


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
