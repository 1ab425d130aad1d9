"""Typed accessors for what lives on the agent app's `app.state`, and the permission
dependency its routes declare."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from posestudio_agent.jobs import JobQueue
from posestudio_agent.settings import AgentSettings
from posestudio_agent.store import RequestStore
from posestudio_core.auth import Principal
from posestudio_core.deps import public, require
from posestudio_core.permissions import Action

__all__ = [
    "Asker",
    "QueueDep",
    "SettingsDep",
    "StoreDep",
    "get_queue",
    "get_settings",
    "get_store",
    "public",
    "require",
]


def get_settings(request: Request) -> AgentSettings:
    settings: AgentSettings = request.app.state.settings
    return settings


def get_store(request: Request) -> RequestStore:
    store: RequestStore = request.app.state.store
    return store


def get_queue(request: Request) -> JobQueue:
    queue: JobQueue = request.app.state.queue
    return queue


SettingsDep = Annotated[AgentSettings, Depends(get_settings)]
StoreDep = Annotated[RequestStore, Depends(get_store)]
QueueDep = Annotated[JobQueue, Depends(get_queue)]
# Who asks the agent: a principal allowed `agent.ask`.
Asker = Annotated[Principal, Depends(require(Action.AGENT_ASK))]
