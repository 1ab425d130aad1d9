"""The robot service's one settings object, read once at its entry point and passed down."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from posestudio_core.settings import ServiceSettings


class RobotSettings(ServiceSettings):
    """Everything the robot service can be told; env prefix `POSE_STUDIO_ROBOT_`."""

    model_config = SettingsConfigDict(env_prefix="POSE_STUDIO_ROBOT_")
    secret_fields: ClassVar[tuple[str, ...]] = ("token", "metrics_token", "cloud_password")

    backend_url: str = "http://127.0.0.1:8000"
    # An API token whose principal may `robot.serve`; None reads (or creates) data_dir/token.
    token: SecretStr | None = None
    site: str = Field("default", min_length=1, max_length=64)
    # `/health` and `/metrics` (Prometheus, behind metrics_token when set).
    host: str = "127.0.0.1"
    port: int = Field(8002, ge=0, le=65535)

    # The safety envelope (docs/robots.md): every robot gets these.
    deadman_ms: int = Field(400, ge=50, le=2000)
    watchdog_ms: int = Field(500, ge=100, le=5000)
    send_hz: float = Field(20.0, ge=5, le=50)
    telemetry_hz: float = Field(10.0, gt=0, le=10)
    request_timeout_ms: int = Field(1000, ge=50, le=10_000)
    connect_timeout_s: float = Field(20.0, gt=0, le=120)
    reconnect_min_s: float = Field(0.5, gt=0, le=60)
    reconnect_max_s: float = Field(10.0, gt=0, le=600)

    # Offer only 127.0.0.1 as an ICE host candidate (the simulator on loopback).
    ice_loopback: bool = False

    # The Unitree account, for robots reached through the cloud (method "remote").
    cloud_email: str | None = None
    cloud_password: SecretStr | None = None
    cloud_region: str = "global"

    @model_validator(mode="after")
    def _ordered(self) -> RobotSettings:
        if self.reconnect_max_s < self.reconnect_min_s:
            raise ValueError("reconnect_max_s is below reconnect_min_s")
        if self.watchdog_ms <= 1000 / self.send_hz:
            raise ValueError("watchdog_ms must be longer than one send period")
        return self
