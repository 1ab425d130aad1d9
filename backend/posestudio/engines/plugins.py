"""Engine plugins, found through the `posestudio.engines` entry-point group.

A plugin is one module that declares its `KEY`, a pydantic config model and the engine
class; the entry point names the class (`mediapipe = "posestudio.engines.mediapipe:
MediaPipePoseEngine"`), whose `name` is the key and whose `config_model` is the config.
A third-party engine installs as a package declaring the same group. A plugin that
fails to import is logged and reported, never fatal.
"""

from __future__ import annotations

import importlib.metadata
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from posestudio.engines.base import PoseEngine
from posestudio.errors import BadEngineConfig
from posestudio_core.errors import validation_problems

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "posestudio.engines"


class NoConfig(BaseModel):
    """The config of an engine that takes none: any setting is a mistake."""

    model_config = ConfigDict(extra="forbid")


DEFAULT_MEMORY_BYTES = 110_000_000


@dataclass(frozen=True)
class EnginePlugin:
    key: str
    # The engine class: called with a validated config, it builds one instance.
    engine: Callable[[Any], Any]
    config_model: type[BaseModel]
    source: str

    @property
    def description(self) -> str:
        return str(getattr(self.engine, "description", ""))

    @property
    def memory_bytes(self) -> int:
        """The footprint of one instance the plugin declares (`PoseEngine.memory_bytes`)."""
        return int(getattr(self.engine, "memory_bytes", DEFAULT_MEMORY_BYTES))

    def configure(self, values: dict[str, Any] | None) -> BaseModel:
        """The plugin's config from settings, validated by its own model."""
        try:
            return self.config_model.model_validate(values or {})
        except ValidationError as exc:
            problems = validation_problems(exc.errors(include_url=False, include_input=False))
            raise BadEngineConfig(
                f"engine {self.key!r} config is invalid: {problems}",
                details={"engine": self.key, "errors": problems},
            ) from None


@dataclass(frozen=True)
class Discovery:
    """The plugins that loaded, and why the others did not (name -> error)."""

    plugins: dict[str, EnginePlugin] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)


def _plugin(entry_point: importlib.metadata.EntryPoint) -> EnginePlugin:
    engine = entry_point.load()
    if not isinstance(engine, type):
        raise TypeError(f"{entry_point.value} is not an engine class")
    key = getattr(engine, "name", None)
    if key != entry_point.name:
        raise ValueError(f"{entry_point.value} declares key {key!r}, not {entry_point.name!r}")
    config_model = getattr(engine, "config_model", NoConfig)
    if not (isinstance(config_model, type) and issubclass(config_model, BaseModel)):
        raise TypeError(f"{entry_point.value}.config_model is not a pydantic model")
    if not (issubclass(engine, PoseEngine) or hasattr(engine, "infer_batch")):
        raise TypeError(f"{entry_point.value} is neither a PoseEngine nor a batch engine")
    return EnginePlugin(key=key, engine=engine, config_model=config_model, source=entry_point.value)


def discover(
    entry_points: Iterable[importlib.metadata.EntryPoint] | None = None,
) -> Discovery:
    """Load every plugin of the group (or the `entry_points` given); failures are kept."""
    if entry_points is None:
        entry_points = importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)
    found = Discovery()
    for entry_point in entry_points:
        if entry_point.name in found.plugins or entry_point.name in found.failures:
            log.warning("engine plugin %s declared twice; the first is kept", entry_point.name)
            continue
        try:
            found.plugins[entry_point.name] = _plugin(entry_point)
        except Exception as exc:  # a third-party plugin may fail in any way
            error = f"{type(exc).__name__}: {exc}"
            log.warning(
                "engine plugin %s (%s) failed to load: %s",
                entry_point.name,
                entry_point.value,
                error,
            )
            found.failures[entry_point.name] = error
    if not found.plugins and not found.failures:
        log.warning(
            "no engine plugins in the %r entry-point group: is posestudio installed "
            "(`make setup`)?",
            ENTRY_POINT_GROUP,
        )
    return found
