"""The machine this backend runs on: engines and devices, CPU/GPU load, versions."""

from __future__ import annotations

import importlib
import importlib.metadata
import os
import platform
from dataclasses import asdict
from typing import Any

import psutil
from fastapi import APIRouter

from posestudio import __version__
from posestudio.deps import ManagerDep, PrincipalDep, RegistryDep

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


def gpu_info() -> dict[str, Any]:
    """NVIDIA GPUs through NVML when nvidia-ml-py is installed; otherwise why not."""
    try:
        pynvml: Any = importlib.import_module("pynvml")
    except ImportError:
        return {"available": False, "reason": "nvidia-ml-py is not installed", "devices": []}
    try:
        pynvml.nvmlInit()
    except Exception as exc:  # no driver or no device: a fact to report, not an error
        return {"available": False, "reason": f"NVML: {exc}", "devices": []}
    try:
        devices = []
        for index in range(pynvml.nvmlDeviceGetCount()):
            handle = pynvml.nvmlDeviceGetHandleByIndex(index)
            memory = pynvml.nvmlDeviceGetMemoryInfo(handle)
            name = pynvml.nvmlDeviceGetName(handle)
            devices.append(
                {
                    "index": index,
                    "name": name.decode() if isinstance(name, bytes) else str(name),
                    "memory_total_bytes": int(memory.total),
                    "memory_used_bytes": int(memory.used),
                    "utilization_percent": int(pynvml.nvmlDeviceGetUtilizationRates(handle).gpu),
                }
            )
        return {"available": bool(devices), "devices": devices}
    finally:
        pynvml.nvmlShutdown()


@router.get("/system")
def system(_: PrincipalDep, registry: RegistryDep, manager: ManagerDep) -> dict[str, Any]:
    """Engines and their devices, CPU and GPU load, memory, stream count, versions."""
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
        "gpu": gpu_info(),
        "streams": len(manager.all_streams()),
        "versions": _versions(),
        "platform": platform.platform(),
    }
