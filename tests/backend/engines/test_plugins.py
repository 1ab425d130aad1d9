"""Engines are found through the installed project's real `posestudio.engines` entry
points; a broken plugin is reported, never fatal; each engine's config comes from
settings and is validated by the plugin's own model."""

from __future__ import annotations

import importlib.metadata

import pytest

from posestudio.engines import ENTRY_POINT_GROUP, EngineRegistry, default_registry, discover
from posestudio.engines.mediapipe import MediaPipeConfig, MediaPipePoseEngine
from posestudio.errors import BadEngineConfig, EngineUnavailable, UnknownEngine
from posestudio.settings import Settings


def broken(name: str, value: str) -> importlib.metadata.EntryPoint:
    return importlib.metadata.EntryPoint(name=name, value=value, group=ENTRY_POINT_GROUP)


def test_mediapipe_is_found_through_the_installed_entry_points() -> None:
    declared = importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)
    assert "mediapipe" in declared.names
    found = discover()
    plugin = found.plugins["mediapipe"]
    assert plugin.engine is MediaPipePoseEngine
    assert plugin.config_model is MediaPipeConfig
    assert plugin.source == "posestudio.engines.mediapipe:MediaPipePoseEngine"
    assert found.failures == {}


def test_a_broken_plugin_is_reported_and_the_others_still_serve() -> None:
    real = list(importlib.metadata.entry_points(group=ENTRY_POINT_GROUP))
    found = discover(
        [
            *real,
            broken("missing", "posestudio_no_such_package.engine:Engine"),
            broken("notaclass", "posestudio.engines.mediapipe:KEY"),
            broken("misnamed", "posestudio.engines.mediapipe:MediaPipePoseEngine"),
        ]
    )
    assert set(found.plugins) == {"blazepose", "mediapipe", "mediapipe-batch"}
    assert found.failures["missing"].startswith("ModuleNotFoundError")
    assert "not an engine class" in found.failures["notaclass"]
    assert "declares key 'mediapipe', not 'misnamed'" in found.failures["misnamed"]

    registry = default_registry(["mediapipe", "missing"], discovery=found)
    info = registry.load("missing")
    assert info.loaded is False
    assert "failed to import" in (info.error or "")
    assert "ModuleNotFoundError" in (info.error or "")
    with pytest.raises(EngineUnavailable):
        registry.acquire("missing")
    assert registry.load("mediapipe").loaded
    registry.close()


def test_an_engine_no_plugin_declares_is_refused() -> None:
    with pytest.raises(UnknownEngine) as caught:
        default_registry(["mediapipe", "openpose"])
    assert caught.value.details == {"available": ["blazepose", "mediapipe", "mediapipe-batch"]}


def test_engine_config_comes_from_nested_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POSE_STUDIO_ENGINE_CONFIG__MEDIAPIPE__MIN_DETECTION_CONFIDENCE", "0.6")
    monkeypatch.setenv("POSE_STUDIO_ENGINE_CONFIG__MEDIAPIPE__SMOOTH_LANDMARKS", "false")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.engine_config == {
        "mediapipe": {"min_detection_confidence": "0.6", "smooth_landmarks": "false"}
    }
    registry = default_registry(settings.engines, config=settings.engine_config)
    assert registry.load("mediapipe").loaded
    engine = registry.acquire("mediapipe")
    assert isinstance(engine, MediaPipePoseEngine)
    assert engine.config == MediaPipeConfig(min_detection_confidence=0.6, smooth_landmarks=False)
    registry.release("mediapipe", engine)
    registry.close()


@pytest.mark.parametrize(
    ("config", "field"),
    [
        ({"mediapipe": {"min_detection_confidence": "2"}}, "min_detection_confidence"),
        ({"mediapipe": {"min_detection_confidense": "0.5"}}, "min_detection_confidense"),
    ],
)
def test_an_invalid_engine_config_is_refused_at_startup(
    config: dict[str, dict[str, str]], field: str
) -> None:
    with pytest.raises(BadEngineConfig) as caught:
        default_registry(["mediapipe"], config=config)
    assert caught.value.code == "BAD_ENGINE_CONFIG"
    assert caught.value.details is not None
    assert caught.value.details["errors"][0]["field"] == field


def test_config_for_an_unknown_engine_is_refused() -> None:
    with pytest.raises(UnknownEngine):
        default_registry(["mediapipe"], config={"openpose": {"x": 1}})


def test_the_registry_needs_factories() -> None:
    assert EngineRegistry({}).names == []
