"""The agent refuses weak secrets outside development, by the backend's own rule."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from posestudio_agent.settings import AgentSettings


@pytest.mark.parametrize("field", ["token", "metrics_token"])
@pytest.mark.parametrize("value", ["changeme", "password", "short"])
def test_production_refuses_placeholder_secrets(field: str, value: str) -> None:
    with pytest.raises(ValidationError, match="placeholder"):
        AgentSettings(environment="production", **{field: value})
    assert getattr(AgentSettings(environment="development", **{field: value}), field) is not None


def test_a_strong_secret_is_accepted() -> None:
    settings = AgentSettings(environment="production", token="a" * 12 + "-strong-token")
    assert settings.token is not None
