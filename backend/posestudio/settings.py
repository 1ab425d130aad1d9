"""The backend's one settings object, read once at the entry point and passed down."""

from __future__ import annotations

import ipaddress
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
    # Serve the agent service in-process under /agent when its package is installed.
    agent_embedded: bool = True

    log_level: str = "info"

    # Limits before authentication (docs/security.md, "Limits"); keep this block whole.
    # Request line and headers together, as the HTTP parser reads them.
    max_header_bytes: int = Field(16 * 1024, ge=1024, le=1024 * 1024)
    # HTTP request bodies outside Socket.IO (whose limit follows max_frame_bytes).
    max_body_bytes: int = Field(1024 * 1024, ge=1024)
    # Host names served besides localhost, the CORS origins' hosts and IP literals;
    # "*" serves any name (only behind a proxy that sets Host itself).
    allowed_hosts: Annotated[list[str], NoDecode] = Field(default_factory=list)
    # Addresses or networks whose X-Forwarded-* headers are believed.
    trusted_proxies: Annotated[list[str], NoDecode] = Field(default_factory=list)
    engineio_connect_timeout_s: float = Field(5.0, gt=0, le=60)
    max_pending_sessions_per_address: int = Field(8, ge=1)
    auth_failures_per_minute: int = Field(20, ge=1)
    # Socket.IO long-polling besides WebSocket (off: see docs/protocol.md).
    allow_polling: bool = False
    # SIGTERM ends the process within this, whatever clients do.
    shutdown_timeout_s: int = Field(10, ge=1, le=300)

    @field_validator("allowed_hosts", "trusted_proxies", mode="before")
    @classmethod
    def _edge_csv(cls, value: object) -> object:
        return split_csv(value)

    @field_validator("trusted_proxies")
    @classmethod
    def _proxy_networks(cls, value: list[str]) -> list[str]:
        for entry in value:
            ipaddress.ip_network(entry, strict=False)
        return value

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
