"""Typed accessors for what lives on `app.state`, and the HTTP permission dependency.

Routes declare `Depends(require(Action.X))` (the aliases below name the common ones)
and never check roles by hand.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from posestudio.engines import EngineRegistry
from posestudio.pipeline import StreamManager
from posestudio.settings import Settings
from posestudio_core.auth import Principal
from posestudio_core.deps import from_state, require
from posestudio_core.permissions import Action

SettingsDep = Annotated[Settings, Depends(from_state("settings"))]
RegistryDep = Annotated[EngineRegistry, Depends(from_state("registry"))]
ManagerDep = Annotated[StreamManager, Depends(from_state("manager"))]
StreamReader = Annotated[Principal, Depends(require(Action.STREAM_READ))]
EnginesReader = Annotated[Principal, Depends(require(Action.ENGINES_READ))]
SystemReader = Annotated[Principal, Depends(require(Action.SYSTEM_READ))]
