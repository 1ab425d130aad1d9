"""Pose engines and whether each can serve here."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter

from posestudio.deps import EnginesReader, RegistryDep, SettingsDep

router = APIRouter(prefix="/api", tags=["engines"])


@router.get("/engines")
def list_engines(_: EnginesReader, registry: RegistryDep, settings: SettingsDep) -> dict[str, Any]:
    """The configured engines, their device and load status."""
    return {
        "default": settings.default_engine,
        "engines": [asdict(info) for info in registry.infos()],
    }
