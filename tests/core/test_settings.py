"""The settings base every service shares, and its two helpers."""

from __future__ import annotations

from typing import ClassVar

import pytest
from pydantic import SecretStr, ValidationError
from pydantic_settings import SettingsConfigDict

from posestudio_core.settings import ServiceSettings, split_csv, weak_secret


class DemoSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="DEMO_")
    secret_fields: ClassVar[tuple[str, ...]] = ("key",)

    key: SecretStr | None = None


@pytest.mark.parametrize(
    ("secret", "weak"),
    [(None, False), ("changeme", True), ("PASSWORD", True), ("short", True), ("x" * 16, False)],
)
def test_weak_secret(secret: str | None, weak: bool) -> None:
    assert weak_secret(SecretStr(secret) if secret is not None else None) is weak


def test_split_csv() -> None:
    assert split_csv(" a, b ,,c") == ["a", "b", "c"]
    assert split_csv(["a"]) == ["a"]


def test_a_service_reads_the_shared_fields_under_its_prefix(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DEMO_CORS_ORIGINS", "https://a.example, https://b.example")
    monkeypatch.setenv("DEMO_ENVIRONMENT", "staging")
    monkeypatch.setenv("DEMO_KEY", "")
    settings = DemoSettings(_env_file=None)  # type: ignore[call-arg]
    assert settings.cors_origins == ["https://a.example", "https://b.example"]
    assert settings.environment == "staging"
    assert settings.key is None  # empty means unset


def test_named_secrets_must_be_strong_outside_development() -> None:
    with pytest.raises(ValidationError, match="key is a placeholder"):
        DemoSettings(environment="production", key="changeme")
    assert DemoSettings(environment="development", key="changeme").key is not None
    assert DemoSettings(environment="production", key="a-strong-secret-0123").key is not None
