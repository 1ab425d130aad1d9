"""The backend's one settings object, read once at the entry point and passed down."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PLACEHOLDER_SECRETS = {"changeme", "change-me", "secret", "token", "password", "example"}


def weak_secret(secret: SecretStr | None) -> bool:
    """A set secret that is a known placeholder or shorter than 16 characters.

    Staging and production refuse to start with one (the agent service too).
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


class Settings(BaseSettings):
    """Everything the pose backend can be told; env prefix `POSE_STUDIO_`."""

    # Empty variables are unset: .env.example and docker-compose.yml leave optional
    # ones empty, and an empty token or key must not count as one.
    model_config = SettingsConfigDict(
        env_prefix="POSE_STUDIO_",
        env_file=".env",
        env_ignore_empty=True,
        extra="ignore",
        validate_default=True,
    )

    environment: Literal["development", "test", "staging", "production"] = "development"
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=0, le=65535)
    data_dir: Path = Path("data")
    frontend_dir: Path = Path(__file__).resolve().parents[2] / "frontend_build" / "dist"

    token: SecretStr | None = None
    metrics_token: SecretStr | None = None
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)

    default_engine: str = "mediapipe"
    engines: Annotated[list[str], NoDecode] = Field(default_factory=lambda: ["mediapipe"])
    workers: int = Field(default_factory=lambda: os.cpu_count() or 1, ge=1, le=256)
    max_idle_engines: int = Field(2, ge=0, le=64)

    max_streams_per_connection: int = Field(10, ge=1, le=100)
    max_frame_bytes: int = Field(2_000_000, ge=1024)
    max_width: int = Field(1920, ge=16)
    max_height: int = Field(1920, ge=16)
    max_in_flight: int = Field(2, ge=1, le=16)
    max_fps: float = Field(30.0, gt=0)
    history_seconds: float = Field(120.0, ge=0)
    # -- the pipeline (docs/architecture.md) --
    # The batching scheduler: at most this many streams' frames per engine call, and the
    # longest the first of them waits for the batch to fill.
    batch_max_size: int = Field(8, ge=1, le=256)
    batch_max_wait_ms: float = Field(5.0, ge=0, le=1000)
    # Results buffered per sink before the oldest is dropped (and counted); lossless
    # sinks (the recorder) get the larger buffer and tell the owner when it is full.
    sink_buffer: int = Field(8, ge=1, le=1024)
    lossless_sink_buffer: int = Field(256, ge=1, le=65536)

    # Serve the agent service in-process under /agent when its package is installed.
    agent_embedded: bool = True

    log_level: str = "info"

    @field_validator("cors_origins", "engines", mode="before")
    @classmethod
    def _csv(cls, value: object) -> object:
        return split_csv(value)

    @model_validator(mode="after")
    def _no_placeholder_secrets(self) -> Settings:
        if self.environment in ("staging", "production"):
            for name in ("token", "metrics_token"):
                if weak_secret(getattr(self, name)):
                    raise ValueError(f"{name} is a placeholder or shorter than 16 characters")
        if self.default_engine not in self.engines:
            raise ValueError(f"default_engine {self.default_engine!r} is not in engines")
        return self

    @property
    def frontend_available(self) -> bool:
        return (self.frontend_dir / "index.html").is_file()
