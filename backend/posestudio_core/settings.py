"""The base of every service's one settings object, read once at its entry point."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, ClassVar, Literal

from pydantic import BeforeValidator, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PLACEHOLDER_SECRETS = {"changeme", "change-me", "secret", "token", "password", "example"}

Environment = Literal["development", "test", "staging", "production"]


def weak_secret(secret: SecretStr | None) -> bool:
    """A set secret that is a known placeholder or shorter than 16 characters.

    Staging and production refuse to start with one.
    """
    if secret is None:
        return False
    value = secret.get_secret_value()
    return value.lower() in PLACEHOLDER_SECRETS or len(value) < 16


def split_csv(value: object) -> object:
    """ "a, b" -> ["a", "b"] for list settings given as one environment variable."""
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    return value


# A list setting that one environment variable gives as "a, b" (not as JSON).
CsvList = Annotated[list[str], NoDecode, BeforeValidator(split_csv)]


class ServiceSettings(BaseSettings):
    """What every service can be told. Subclasses add their fields and `env_prefix`.

    `secret_fields` names the `SecretStr | None` fields that staging and production hold
    to the strong-secret rule.
    """

    # Empty variables are unset: .env.example and docker-compose.yml leave optional
    # ones empty, and an empty token or key must not count as one.
    model_config = SettingsConfigDict(
        env_file=".env",
        env_ignore_empty=True,
        extra="ignore",
        validate_default=True,
    )
    secret_fields: ClassVar[tuple[str, ...]] = ("metrics_token",)

    environment: Environment = "development"
    data_dir: Path = Path("data")
    cors_origins: CsvList = Field(default_factory=list)
    log_level: str = "info"
    # Prometheus scrapes `/metrics` with this Bearer token when it is set.
    metrics_token: SecretStr | None = None

    @model_validator(mode="after")
    def _no_placeholder_secrets(self) -> ServiceSettings:
        if self.environment in ("staging", "production"):
            for name in self.secret_fields:
                if weak_secret(getattr(self, name)):
                    raise ValueError(f"{name} is a placeholder or shorter than 16 characters")
        return self
