"""Typed accessors for what lives on the agent app's `app.state`, and the permission
dependency its routes declare."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from posestudio_agent.jobs import JobQueue
from posestudio_agent.settings import AgentSettings
from posestudio_agent.store import RequestStore
from posestudio_core.auth import Principal
from posestudio_core.deps import from_state, require
from posestudio_core.permissions import Action

SettingsDep = Annotated[AgentSettings, Depends(from_state("settings"))]
StoreDep = Annotated[RequestStore, Depends(from_state("store"))]
QueueDep = Annotated[JobQueue, Depends(from_state("queue"))]
# Who asks the agent: a principal allowed `agent.ask`.
Asker = Annotated[Principal, Depends(require(Action.AGENT_ASK))]
