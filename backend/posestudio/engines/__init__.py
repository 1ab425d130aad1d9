"""Pose engines behind one base class, found as plugins and kept in a registry by name."""

from posestudio.engines.base import BatchPoseEngine, EngineInfo, PoseEngine
from posestudio.engines.plugins import ENTRY_POINT_GROUP, Discovery, EnginePlugin, discover
from posestudio.engines.registry import EngineRegistry, default_registry

__all__ = [
    "ENTRY_POINT_GROUP",
    "BatchPoseEngine",
    "Discovery",
    "EngineInfo",
    "EnginePlugin",
    "EngineRegistry",
    "PoseEngine",
    "default_registry",
    "discover",
]
