"""Typed accessors for what lives on `app.state`, and the HTTP auth dependency."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request

from posestudio.auth import Authenticator, Principal
from posestudio.engines import EngineRegistry
from posestudio.errors import Unauthorized
from posestudio.pipeline import StreamManager
from posestudio.settings import Settings


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_registry(request: Request) -> EngineRegistry:
    registry: EngineRegistry = request.app.state.registry
    return registry


def get_manager(request: Request) -> StreamManager:
    manager: StreamManager = request.app.state.manager
    return manager


def get_authenticator(request: Request) -> Authenticator:
    authenticator: Authenticator = request.app.state.authenticator
    return authenticator


def require_principal(
    request: Request,
    authenticator: Annotated[Authenticator, Depends(get_authenticator)],
    token: Annotated[str | None, Query(description="Access token (or a Bearer header)")] = None,
) -> Principal:
    principal = authenticator.authenticate_http(request.headers.get("authorization"), token)
    if principal is None:
        raise Unauthorized("missing or wrong token")
    return principal


SettingsDep = Annotated[Settings, Depends(get_settings)]
RegistryDep = Annotated[EngineRegistry, Depends(get_registry)]
ManagerDep = Annotated[StreamManager, Depends(get_manager)]
PrincipalDep = Annotated[Principal, Depends(require_principal)]
