"""Typed accessors for what lives on the agent app's `app.state`, and the permission
dependencies its routes declare."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request

from posestudio_agent.identity import authenticate_fresh
from posestudio_agent.jobs import JobQueue
from posestudio_agent.settings import AgentSettings
from posestudio_agent.store import RequestStore
from posestudio_core.auth import Credentials, Principal
from posestudio_core.deps import Require, from_state, http_credentials, require
from posestudio_core.permissions import Action, authorize

SettingsDep = Annotated[AgentSettings, Depends(from_state("settings"))]
StoreDep = Annotated[RequestStore, Depends(from_state("store"))]
QueueDep = Annotated[JobQueue, Depends(from_state("queue"))]
# Who asks the agent: a principal allowed `agent.ask`.
Asker = Annotated[Principal, Depends(require(Action.AGENT_ASK))]


class FreshRequire(Require):
    """`require(action)` past the agent's credential cache: an invoke starts a model run,
    beside which one more backend call is nothing, and a disabled person is refused at
    once rather than when the cache forgets them."""

    def __call__(
        self,
        request: Request,
        token: Annotated[str | None, Query(description="Access token (or a Bearer header)")] = None,
    ) -> Principal:
        authenticator = request.app.state.authenticator
        return authorize(
            authenticate_fresh(authenticator, http_credentials(request, token)), self.action
        )


def credentials_of(
    request: Request,
    token: Annotated[str | None, Query(description="Access token (or a Bearer header)")] = None,
) -> Credentials:
    """What the request presented, for the job to forward to the backend."""
    return http_credentials(request, token)


# The asking principal, checked with the backend now.
FreshAsker = Annotated[Principal, Depends(FreshRequire(Action.AGENT_ASK))]
CredentialsDep = Annotated[Credentials, Depends(credentials_of)]
