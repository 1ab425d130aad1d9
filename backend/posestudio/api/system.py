"""The machine this backend runs on: engines and devices, CPU/GPU load, versions."""

from __future__ import annotations

import importlib.metadata
import os
import platform
from dataclasses import asdict
from typing import Any

import psutil
from fastapi import APIRouter, Request

from posestudio import __version__
from posestudio.deps import ManagerDep, RegistryDep, SystemReader
from posestudio.gpu import GpuMonitor

router = APIRouter(prefix="/api", tags=["system"])

VERSIONED_PACKAGES = ("mediapipe", "numpy", "fastapi", "python-socketio")


def _versions() -> dict[str, str | None]:
    versions: dict[str, str | None] = {
        "posestudio": __version__,
        "python": platform.python_version(),
    }
    for name in VERSIONED_PACKAGES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = None
    return versions


@router.get("/system")
def system(
    _: SystemReader, request: Request, registry: RegistryDep, manager: ManagerDep
) -> dict[str, Any]:
    """Engines and their devices, CPU and GPU load, memory, stream count, versions."""
    gpus: GpuMonitor = request.app.state.gpus
    load_1, load_5, load_15 = os.getloadavg()
    memory = psutil.virtual_memory()
    return {
        "engines": [asdict(info) for info in registry.infos()],
        "cpu": {
            "count": os.cpu_count(),
            "load_1m": round(load_1, 2),
            "load_5m": round(load_5, 2),
            "load_15m": round(load_15, 2),
        },
        "memory": {"total_bytes": memory.total, "available_bytes": memory.available},
        "gpu": {
            "available": gpus.available,
            "devices": [asdict(reading) for reading in gpus.read()],
        },
        "streams": len(manager.all_streams()),
        "versions": _versions(),
        "platform": platform.platform(),
    }
