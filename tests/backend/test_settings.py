from __future__ import annotations

import pytest
from pydantic import ValidationError

from posestudio.settings import Settings


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POSE_STUDIO_PORT", "9001")
    monkeypatch.setenv("POSE_STUDIO_CORS_ORIGINS", "https://a.example, https://b.example")
    monkeypatch.setenv("POSE_STUDIO_MAX_FPS", "15")
    settings = Settings()
    assert settings.port == 9001
    assert settings.cors_origins == ["https://a.example", "https://b.example"]
    assert settings.max_fps == 15


@pytest.mark.parametrize("token", ["changeme", "short"])
def test_production_refuses_placeholder_tokens(token: str) -> None:
    with pytest.raises(ValidationError, match="placeholder"):
        Settings(environment="production", token=token)
    assert Settings(environment="development", token=token).token is not None


def test_default_engine_must_be_enabled() -> None:
    with pytest.raises(ValidationError, match="default_engine"):
        Settings(default_engine="openpose")


@pytest.mark.parametrize("field", ["max_fps", "workers", "max_in_flight"])
def test_limits_must_be_positive(field: str) -> None:
    with pytest.raises(ValidationError):
        Settings(**{field: 0})


def test_empty_variables_count_as_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    """`.env.example` (copied to `.env`) and docker-compose.yml leave optional settings
    empty (`POSE_STUDIO_TOKEN=`); an empty token must mean "none set", not "" (which
    refused to start: an empty token would let everyone in)."""
    monkeypatch.setenv("POSE_STUDIO_TOKEN", "")
    monkeypatch.setenv("POSE_STUDIO_METRICS_TOKEN", "")
    monkeypatch.setenv("POSE_STUDIO_AGENT_API_KEY", "")
    monkeypatch.setenv("POSE_STUDIO_AGENT_MODEL", "")
    settings = Settings()
    assert settings.token is None
    assert settings.metrics_token is None
    from posestudio_agent.settings import AgentSettings

    agent = AgentSettings()
    assert agent.api_key is None
    assert agent.model is None
