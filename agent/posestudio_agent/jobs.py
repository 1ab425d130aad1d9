"""Requests as jobs on the one job interface (`posestudio_core.jobs`): RQ on Redis when
configured, a small thread pool otherwise.

The job itself (`agent.request` → `execute`) is the same either way: load the request by
id, run the agent under what is left of the request's deadline, store the result, count
it, push it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from typing import Any, Protocol

import redis
from rq.timeouts import JobTimeoutException

from posestudio_agent.identity import Forwarded
from posestudio_agent.publish import Publisher
from posestudio_agent.records import AgentRecord, ErrorBody, Status
from posestudio_agent.runner import run_agent
from posestudio_agent.settings import AgentSettings
from posestudio_agent.store import RequestStore
from posestudio_core.jobs import RQ_TIMEOUT_MARGIN_S as CORE_RQ_MARGIN_S
from posestudio_core.jobs import InProcessQueue, RqQueue, job, set_worker_env
from posestudio_core.jobs import JobContext as CoreContext

log = logging.getLogger(__name__)

REQUEST_BUCKETS = (0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 30.0, 60.0)
# RQ's own timeout is a backstop past the agent's deadline, which ends runs cleanly.
RQ_TIMEOUT_MARGIN_S = CORE_RQ_MARGIN_S
# The bootstrap token's principal: its jobs present the agent's own token to the backend.
BOOTSTRAP_SUBJECT = "token"


@dataclass
class JobContext:
    settings: AgentSettings
    store: RequestStore
    publisher: Publisher
    backend_token: str


def backend_credential(record: AgentRecord, ctx: JobContext) -> Forwarded | None:
    """What the tools present to the backend: the asking person's own credential (so the
    backend answers with what they may read), or the agent's token for the bootstrap."""
    forwarded = ctx.store.take_credential(record.request_id)
    if forwarded is None and record.subject == BOOTSTRAP_SUBJECT:
        return Forwarded(token=ctx.backend_token)
    return forwarded


def record_finished(store: RequestStore, record: AgentRecord) -> None:
    """Count a finished request (read by the metrics collector at scrape time)."""
    store.incr("requests", record.status.value)
    for call in record.tool_calls:
        store.incr("tool_calls", f"{call.name}|{str(call.ok).lower()}")
    if record.finished is not None:
        seconds = record.finished - record.created
        for bound in REQUEST_BUCKETS:
            if seconds <= bound:
                store.incr("request_seconds_bucket", repr(bound))
        store.incr("request_seconds_bucket", "+Inf")
        store.incr("request_seconds", "sum", seconds)


def execute(request_id: str, ctx: JobContext) -> None:
    """Run one stored request to its result. Safe to call twice (a finished one is left)."""
    record = ctx.store.load(request_id)
    if record is None or record.status.finished:
        return
    remaining = record.created + ctx.settings.request_timeout_s - time.time()
    credential = backend_credential(record, ctx)
    if remaining <= 0:
        record.status = Status.TIMEOUT
        record.error = ErrorBody(code="TIMEOUT", message="the request waited too long in the queue")
    elif credential is None:
        record.status = Status.FAILED
        record.error = ErrorBody(
            code="UNAUTHORIZED", message="the request's credentials were not kept for its job"
        )
    else:
        record.status = Status.RUNNING
        ctx.store.save(record)
        outcome = asyncio.run(
            run_agent(
                ctx.settings,
                question=record.question,
                stream_ids=record.stream_ids,
                context=record.context,
                backend_credential=credential,
                deadline_s=remaining,
            )
        )
        record.status = outcome.status
        record.answer = outcome.answer
        record.tool_calls = outcome.tool_calls
        record.relevant_timestamps = outcome.relevant_timestamps
        record.error = outcome.error
    finish(record, ctx)


def finish(record: AgentRecord, ctx: JobContext) -> None:
    """Store, count and push a finished request."""
    record.finished = time.time()
    ctx.store.save(record)
    record_finished(ctx.store, record)
    try:
        ctx.publisher.publish(record.subject, record.public())
    except Exception:  # the stored result still answers GET /agent/result
        log.exception("could not push result %s", record.request_id)


class JobQueue(Protocol):
    def enqueue(self, request_id: str) -> None: ...

    def depth(self) -> int:
        """Requests accepted and not started yet."""
        ...

    def close(self) -> None: ...


# The agent's one job on the shared job interface (posestudio_core.jobs).
JOB_NAME = "agent.request"


@job(JOB_NAME)
def agent_request(job_ctx: CoreContext, payload: dict[str, Any]) -> None:
    """A request as a job: the agent's `JobContext` is the queue's (or worker's) env."""
    ctx = job_ctx.env
    if not isinstance(ctx, JobContext):
        raise RuntimeError("agent jobs run in the agent's queue or `posestudio agent worker`")
    request_id = payload["request_id"]
    try:
        execute(request_id, ctx)
    except Exception as exc:
        # RQ's timeout lands here too (raised inside the job): the person is told.
        log.exception("agent job %s failed", request_id)
        fail_unfinished(request_id, ctx, type(exc))
        raise


class LocalQueue:
    """In-process jobs on their own small pool, never the pose workers."""

    def __init__(self, ctx: JobContext, workers: int) -> None:
        self.ctx = ctx
        self.jobs = InProcessQueue(ctx, workers=workers)
        self.jobs.start()

    def enqueue(self, request_id: str) -> None:
        self.jobs.enqueue(JOB_NAME, {"request_id": request_id}, job_id=request_id)

    def depth(self) -> int:
        return self.jobs.depth()

    def close(self) -> None:
        """Drop what has not started; wait for what runs (it ends by its deadline)."""
        self.jobs.stop(self.ctx.settings.request_timeout_s + RQ_TIMEOUT_MARGIN_S)


class RQQueue:
    """Jobs on an RQ queue; `posestudio agent worker` runs them."""

    def __init__(
        self, connection: redis.Redis, settings: AgentSettings, ctx: JobContext | None = None
    ) -> None:
        self.settings = settings
        # `ctx`: what the jobs see, in the worker (the web process only enqueues).
        self.jobs = RqQueue(
            connection,
            queue_name=settings.queue_name,
            prefix=settings.key_prefix,
            keep_s=settings.result_ttl_s,
            env=ctx,
        )

    def enqueue(self, request_id: str) -> None:
        self.jobs.enqueue(
            JOB_NAME,
            {"request_id": request_id},
            job_id=request_id,
            timeout_s=self.settings.request_timeout_s,
        )

    def depth(self) -> int:
        return self.jobs.depth()

    def close(self) -> None:
        pass


def set_worker_context(ctx: JobContext | None) -> None:
    """Called once by `posestudio agent worker` before it starts taking jobs."""
    set_worker_env(ctx)


def fail_unfinished(request_id: str, ctx: JobContext, exc_type: type[BaseException]) -> None:
    """A job died before finishing its request: store and push a failed/timeout result,
    so the person is told rather than left waiting for a push that never comes."""
    try:
        record = ctx.store.load(request_id)
        if record is None or record.status.finished:
            return
        if issubclass(exc_type, JobTimeoutException):
            record.status = Status.TIMEOUT
            record.error = ErrorBody(code="TIMEOUT", message="the worker ran out of time")
        else:
            record.status = Status.FAILED
            message = f"the job failed: {exc_type.__name__}"
            record.error = ErrorBody(code="WORKER_ERROR", message=message)
        finish(record, ctx)
    except Exception:  # the store itself is down: GET /agent/result will time it out
        log.exception("could not record the failure of %s", request_id)
