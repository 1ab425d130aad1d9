"""Typed accessors for what lives on the agent app's `app.state`, and the auth dependency."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request

from posestudio.auth import Authenticator, Principal
from posestudio_agent.errors import Unauthorized
from posestudio_agent.jobs import JobQueue
from posestudio_agent.settings import AgentSettings
from posestudio_agent.store import RequestStore


def get_settings(request: Request) -> AgentSettings:
    settings: AgentSettings = request.app.state.settings
    return settings


def get_store(request: Request) -> RequestStore:
    store: RequestStore = request.app.state.store
    return store


def get_queue(request: Request) -> JobQueue:
    queue: JobQueue = request.app.state.queue
    return queue


def require_principal(
    request: Request,
    token: Annotated[str | None, Query(description="Access token (or a Bearer header)")] = None,
) -> Principal:
    authenticator: Authenticator = request.app.state.authenticator
    principal = authenticator.authenticate_http(request.headers.get("authorization"), token)
    if principal is None:
        raise Unauthorized("missing or wrong token")
    return principal


SettingsDep = Annotated[AgentSettings, Depends(get_settings)]
StoreDep = Annotated[RequestStore, Depends(get_store)]
QueueDep = Annotated[JobQueue, Depends(get_queue)]
PrincipalDep = Annotated[Principal, Depends(require_principal)]
