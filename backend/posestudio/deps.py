"""Typed accessors for what lives on `app.state`, and the HTTP permission dependency.

Routes declare `Depends(require(Action.X))` (the aliases below name the common ones)
and never check roles by hand.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from posestudio.engines import EngineRegistry
from posestudio.settings import Settings
from posestudio.streams import StreamManager
from posestudio_core.auth import Principal
from posestudio_core.deps import public, require
from posestudio_core.permissions import Action

__all__ = [
    "Action",
    "EnginesReader",
    "ManagerDep",
    "RegistryDep",
    "SettingsDep",
    "StreamReader",
    "SystemReader",
    "get_manager",
    "get_registry",
    "get_settings",
    "public",
    "require",
]


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_registry(request: Request) -> EngineRegistry:
    registry: EngineRegistry = request.app.state.registry
    return registry


def get_manager(request: Request) -> StreamManager:
    manager: StreamManager = request.app.state.manager
    return manager


SettingsDep = Annotated[Settings, Depends(get_settings)]
RegistryDep = Annotated[EngineRegistry, Depends(get_registry)]
ManagerDep = Annotated[StreamManager, Depends(get_manager)]
StreamReader = Annotated[Principal, Depends(require(Action.STREAM_READ))]
EnginesReader = Annotated[Principal, Depends(require(Action.ENGINES_READ))]
SystemReader = Annotated[Principal, Depends(require(Action.SYSTEM_READ))]
