"""Pose engines behind one base class, found through a registry keyed by name."""

from posestudio.engines.base import BatchPoseEngine, EngineInfo, PoseEngine
from posestudio.engines.registry import EngineRegistry, default_registry

__all__ = ["BatchPoseEngine", "EngineInfo", "EngineRegistry", "PoseEngine", "default_registry"]
