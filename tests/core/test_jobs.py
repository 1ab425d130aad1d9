"""The one job interface on both queues: in-process threads, and RQ on the real Redis
(a `SimpleWorker` in this process, as `posestudio worker` runs it)."""

from __future__ import annotations

import secrets
import threading
from collections.abc import Iterator
from typing import Any

import pytest
import redis

from posestudio_core.jobs import (
    InProcessQueue,
    JobContext,
    JobState,
    JobStatus,
    RqQueue,
    job,
    registry,
)
from tests.utils.server import wait_for

# The jobs tests own this Redis DB; each test uses its own key prefix and queue name.
REDIS_URL = "redis://127.0.0.1:6379/12"
GATES: dict[str, threading.Event] = {}
SEEN: dict[str, Any] = {}


class Flaky(Exception):
    """A failure worth retrying (as a storage hiccup is)."""


@job("test.progress")
def progress_job(ctx: JobContext, payload: dict[str, Any]) -> None:
    ctx.progress(0.5, "half")
    gate = GATES.get(payload.get("gate", ""))
    if gate is not None:
        assert gate.wait(30)
    if payload.get("peek"):  # what another process reading the store sees now
        reader = RqQueue(redis.Redis.from_url(REDIS_URL), prefix=payload["peek"])
        SEEN[ctx.job_id] = reader.status(ctx.job_id)
    SEEN[f"{ctx.job_id}:env"] = ctx.env


@job("test.fails")
def failing_job(ctx: JobContext, payload: dict[str, Any]) -> None:
    raise ValueError("the input was bad")


@job("test.flaky", retry_on=(Flaky,), retries=2)
def flaky_job(ctx: JobContext, payload: dict[str, Any]) -> None:
    key = f"flaky:{payload['key']}"
    SEEN[key] = SEEN.get(key, 0) + 1
    if SEEN[key] < payload["succeed_on"]:
        raise Flaky("try again")


@job("test.until_cancelled")
def until_cancelled(ctx: JobContext, payload: dict[str, Any]) -> None:
    GATES[payload["started"]].set()
    while not ctx.cancelled():
        threading.Event().wait(0.01)  # a unit of work


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry, "RETRY_DELAYS_S", (0.01,))


@pytest.fixture
def queue() -> Iterator[InProcessQueue]:
    q = InProcessQueue(env="the env", workers=2)
    q.start()
    yield q
    q.stop(5)


def _finished(queue: Any, job_id: str) -> JobStatus:
    status: JobStatus = wait_for(
        lambda: (s := queue.status(job_id)) is not None and s.finished and s,
        20,
        f"job {job_id} to finish",
    )
    return status


def test_in_process_progress_then_complete(queue: InProcessQueue) -> None:
    GATES["g1"] = threading.Event()
    job_id = queue.enqueue("test.progress", {"gate": "g1"})
    running = wait_for(
        lambda: (s := queue.status(job_id)) and s.progress == 0.5 and s, 10, "progress 0.5"
    )
    assert running.state is JobState.RUNNING and running.detail == "half"
    GATES["g1"].set()
    done = _finished(queue, job_id)
    assert done.state is JobState.COMPLETE and done.progress == 1.0
    assert SEEN[f"{job_id}:env"] == "the env"


def test_in_process_failure_retry_and_unknown_names(queue: InProcessQueue) -> None:
    failed = _finished(queue, queue.enqueue("test.fails", {}))
    assert failed.state is JobState.FAILED and "the input was bad" in (failed.error or "")
    retried = _finished(queue, queue.enqueue("test.flaky", {"key": "a", "succeed_on": 3}))
    assert retried.state is JobState.COMPLETE and SEEN["flaky:a"] == 3
    gave_up = _finished(queue, queue.enqueue("test.flaky", {"key": "b", "succeed_on": 9}))
    assert gave_up.state is JobState.FAILED and SEEN["flaky:b"] == 3  # 1 + 2 retries
    with pytest.raises(ValueError, match="no job named"):
        queue.enqueue("no.such.job", {})
    assert queue.status("jb_unknown") is None


def test_cancel_deadline_and_stop(queue: InProcessQueue) -> None:
    GATES["s1"] = threading.Event()
    job_id = queue.enqueue("test.until_cancelled", {"started": "s1"})
    assert GATES["s1"].wait(10)
    queue.cancel(job_id)
    cancelled = _finished(queue, job_id)
    assert cancelled.state is JobState.FAILED and cancelled.error == "cancelled"

    GATES["s2"] = threading.Event()
    late = queue.enqueue("test.until_cancelled", {"started": "s2"}, timeout_s=0.2)
    assert _finished(queue, late).error == "ran past its deadline"

    GATES["s3"] = threading.Event()
    running = queue.enqueue("test.until_cancelled", {"started": "s3"})
    assert GATES["s3"].wait(10)
    queue.stop(5)  # cancels what runs and waits for it
    assert queue.status(running) is not None
    assert queue.status(running).state is JobState.FAILED  # type: ignore[union-attr]


@pytest.fixture
def rq_queue() -> Iterator[RqQueue]:
    connection = redis.Redis.from_url(REDIS_URL)
    prefix = f"test-{secrets.token_hex(4)}:"
    yield RqQueue(connection, queue_name=prefix + "q", prefix=prefix, env={"from": "worker"})
    for key in connection.scan_iter(f"{prefix}*"):
        connection.delete(key)
    connection.close()


def test_rq_progress_is_seen_by_another_process_then_complete(rq_queue: RqQueue) -> None:
    job_id = rq_queue.enqueue("test.progress", {"peek": rq_queue.prefix})
    assert rq_queue.status(job_id).state is JobState.QUEUED  # type: ignore[union-attr]
    rq_queue.worker().work(burst=True, with_scheduler=False)
    seen = SEEN[job_id]
    assert seen.state is JobState.RUNNING and seen.progress == 0.5
    # A fresh connection (the web process) reads the end.
    web = RqQueue(redis.Redis.from_url(REDIS_URL), prefix=rq_queue.prefix)
    done = web.status(job_id)
    assert done is not None and done.state is JobState.COMPLETE and done.progress == 1.0
    assert SEEN[f"{job_id}:env"] == {"from": "worker"}


def test_rq_failure_retry_and_cancel(rq_queue: RqQueue) -> None:
    failed = rq_queue.enqueue("test.fails", {})
    retried = rq_queue.enqueue("test.flaky", {"key": "rq", "succeed_on": 2})
    cancelled = rq_queue.enqueue("test.progress", {})
    rq_queue.cancel(cancelled)  # before a worker took it: it ends at its first check
    rq_queue.worker().work(burst=True, with_scheduler=False)
    status = rq_queue.status(failed)
    assert status is not None and status.state is JobState.FAILED
    assert "the input was bad" in (status.error or "")
    assert rq_queue.status(retried).state is JobState.COMPLETE  # type: ignore[union-attr]
    assert SEEN["flaky:rq"] == 2
    assert rq_queue.status(cancelled).error == "cancelled"  # type: ignore[union-attr]
    with pytest.raises(ValueError, match="no job named"):
        rq_queue.enqueue("no.such.job", {})
