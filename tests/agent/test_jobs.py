"""The job function itself: deadlines count from the question, and it runs once."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import redis
from rq import Queue, SimpleWorker
from rq.serializers import JSONSerializer

from posestudio_agent.identity import Forwarded
from posestudio_agent.jobs import (
    JOB_NAME,
    JobContext,
    LocalQueue,
    RQQueue,
    execute,
    set_worker_context,
)
from posestudio_agent.records import AgentRecord, Status
from posestudio_agent.settings import AgentSettings
from posestudio_agent.store import MemoryStore, RedisStore
from posestudio_core.jobs import JobState, JobStatus, MemoryStatusStore, run_job


class Pushed:
    """A publisher that keeps what it was given."""

    def __init__(self) -> None:
        self.results: list[tuple[str, dict[str, Any]]] = []

    def publish(self, subject: str, body: dict[str, Any]) -> None:
        self.results.append((subject, body))


def test_a_request_that_waited_past_its_deadline_times_out_without_running(
    make_settings: Callable[..., AgentSettings],
) -> None:
    settings = make_settings(model="fake-model", base_url="http://127.0.0.1:9/v1")
    store, pushed = MemoryStore(60), Pushed()
    old = AgentRecord(request_id="old", subject="owner", question="q", created=time.time() - 21)
    store.save(old)
    execute("old", JobContext(settings, store, pushed, "token"))
    result = store.load("old")
    assert result is not None
    assert result.status is Status.TIMEOUT
    assert result.error is not None and "waited too long" in result.error.message
    assert pushed.results == [("owner", result.public())]
    assert store.counters("requests") == {"timeout": 1.0}
    # A finished request is left alone when its job runs again.
    execute("old", JobContext(settings, store, pushed, "token"))
    assert len(pushed.results) == 1


def test_the_agent_job_needs_the_agent_context() -> None:
    store = MemoryStatusStore()
    store.create(JobStatus(id="y", name=JOB_NAME, state=JobState.QUEUED))
    failed = run_job(JOB_NAME, {"request_id": "y"}, "y", store, deadline=None, env=None)
    assert failed is not None and failed.state is JobState.FAILED
    assert "posestudio agent worker" in (failed.error or "")


class FailingFirstSave(RedisStore):
    """A Redis store whose first save fails, as when Redis drops a connection mid-job."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.failed = False

    def save(self, record: AgentRecord) -> None:
        if not self.failed:
            self.failed = True
            raise redis.ConnectionError("connection lost")
        super().save(record)


def test_a_job_that_crashes_still_gets_a_result_pushed(
    make_settings: Callable[..., AgentSettings], redis_url: str
) -> None:
    settings = make_settings(model="fake-model", base_url="http://127.0.0.1:9/v1")
    connection = redis.Redis.from_url(redis_url)
    store = FailingFirstSave(connection, 60, settings.key_prefix)
    asked = AgentRecord(request_id="r1", subject="owner", question="q")
    super(FailingFirstSave, store).save(asked)
    store.keep_credential("r1", Forwarded(token="person-token"), 60)
    pushed = Pushed()
    set_worker_context(JobContext(settings, store, pushed, "token"))
    try:
        RQQueue(connection, settings).enqueue("r1")
        worker = SimpleWorker(
            [Queue(settings.queue_name, connection=connection, serializer=JSONSerializer)],
            connection=connection,
            serializer=JSONSerializer,
        )
        worker.work(burst=True, with_scheduler=False)
    finally:
        set_worker_context(None)
    result = store.load("r1")
    assert result is not None
    assert result.status is Status.FAILED
    assert result.error is not None and result.error.code == "WORKER_ERROR"
    assert pushed.results == [("owner", result.public())]
    connection.close()


def test_an_in_process_job_that_crashes_still_gets_a_result_pushed(
    make_settings: Callable[..., AgentSettings], redis_url: str
) -> None:
    settings = make_settings(model="fake-model", base_url="http://127.0.0.1:9/v1")
    connection = redis.Redis.from_url(redis_url)
    store = FailingFirstSave(connection, 60, settings.key_prefix)
    super(FailingFirstSave, store).save(AgentRecord(request_id="r2", subject="owner", question="q"))
    store.keep_credential("r2", Forwarded(token="person-token"), 60)
    pushed = Pushed()
    queue = LocalQueue(JobContext(settings, store, pushed, "token"), workers=1)
    queue.enqueue("r2")
    queue.close()  # waits for the job
    result = store.load("r2")
    assert result is not None
    assert result.status is Status.FAILED
    assert result.error is not None and result.error.code == "WORKER_ERROR"
    assert pushed.results == [("owner", result.public())]
    connection.close()
