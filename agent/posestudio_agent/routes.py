"""`/agent` HTTP routes: invoke, result, health, metrics."""

from __future__ import annotations

import time
import uuid
from typing import Any

from fastapi import APIRouter, Request

from posestudio_agent.deps import (
    Asker,
    CredentialsDep,
    FreshAsker,
    QueueDep,
    SettingsDep,
    StoreDep,
)
from posestudio_agent.errors import AgentNotConfigured, QueueFull
from posestudio_agent.identity import Forwarded
from posestudio_agent.jobs import BOOTSTRAP_SUBJECT, RQ_TIMEOUT_MARGIN_S
from posestudio_agent.records import AgentRecord, ErrorBody, Invoked, InvokeRequest, Status
from posestudio_agent.settings import CONFIGURE_HINT, AgentSettings
from posestudio_agent.store import RequestStore
from posestudio_core.errors import BadRequest, NotFound, RateLimited
from posestudio_core.http import metrics_router, probe_router

router = APIRouter(prefix="/agent", tags=["agent"])

RATE_WINDOW_S = 60


@router.post("/invoke", status_code=202, response_model=Invoked)
def invoke(
    body: InvokeRequest,
    principal: FreshAsker,
    credentials: CredentialsDep,
    settings: SettingsDep,
    store: StoreDep,
    queue: QueueDep,
) -> Invoked:
    """Ask a question about your streams; the answer arrives on `/agent` and at /result."""
    if not settings.configured:
        store.incr("requests", "not_configured")
        raise AgentNotConfigured(CONFIGURE_HINT)
    question = body.question.strip()
    if not question or len(question) > settings.max_question_chars:
        raise BadRequest(
            f"the question must have 1 to {settings.max_question_chars} characters",
            details={"max_question_chars": settings.max_question_chars},
        )
    if store.hit(principal.subject, RATE_WINDOW_S) > settings.rate_limit_per_minute:
        store.incr("requests", "rate_limited")
        raise RateLimited(
            f"at most {settings.rate_limit_per_minute} questions a minute",
            details={"limit_per_minute": settings.rate_limit_per_minute},
        )
    if queue.depth() >= settings.max_queued:
        store.incr("requests", "queue_full")
        raise QueueFull(
            f"{settings.max_queued} questions are already waiting; try again shortly",
            details={"max_queued": settings.max_queued},
        )
    record = AgentRecord(
        request_id=uuid.uuid4().hex,
        subject=principal.subject,
        question=question,
        stream_ids=body.stream_ids or [],
        session_id=body.session_id,
        context=body.context,
    )
    forwarded = Forwarded.of(credentials)
    if forwarded is not None and principal.subject != BOOTSTRAP_SUBJECT:
        # The job's tools call the backend as this person, until the deadline at most.
        ttl = int(settings.request_timeout_s) + RQ_TIMEOUT_MARGIN_S
        store.keep_credential(record.request_id, forwarded, ttl)
    store.save(record)
    queue.enqueue(record.request_id)
    return Invoked(request_id=record.request_id)


@router.get("/result/{request_id}")
def result(
    request_id: str, principal: Asker, settings: SettingsDep, store: StoreDep
) -> dict[str, Any]:
    """A request's status and, once finished, its answer, tools used and timestamps."""
    record = store.load(request_id)
    if record is None or record.subject != principal.subject:
        raise NotFound(
            f"no request {request_id!r} (unknown, someone else's, or expired)",
            details={"request_id": request_id},
        )
    stale = record.created + settings.request_timeout_s + RQ_TIMEOUT_MARGIN_S
    if not record.status.finished and time.time() > stale:
        # No worker took it, or one died with it: past every deadline it has timed out.
        record.status = Status.TIMEOUT
        record.error = ErrorBody(code="TIMEOUT", message="no worker finished the request")
    return record.public()


def _health(request: Request) -> tuple[bool, dict[str, Any]]:
    settings: AgentSettings = request.app.state.settings
    store: RequestStore = request.app.state.store
    ok = store.ping()
    return ok, {
        "status": "ok" if ok else "unavailable",
        "configured": settings.configured,
        "jobs": "rq" if settings.redis_url else "in-process",
        "tools": settings.enabled_tools(),
    }


router.include_router(
    probe_router(
        "/health",
        _health,
        summary="Health: the store answers; and whether a model is configured.",
        unavailable="The store (Redis) does not answer",
    )
)
router.include_router(
    metrics_router(
        "/metrics",
        summary="Prometheus metrics (`pose_agent_*`); behind a scrape token when one is set.",
    )
)
