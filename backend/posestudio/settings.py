"""The backend's one settings object, read once at the entry point and passed down."""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import SettingsConfigDict

from posestudio_core.settings import CsvList, ServiceSettings


class Settings(ServiceSettings):
    """Everything the pose backend can be told; env prefix `POSE_STUDIO_`."""

    # Merged with the base's configuration (.env, empty variables unset). `__` nests:
    # POSE_STUDIO_ENGINE_CONFIG__MEDIAPIPE__MIN_DETECTION_CONFIDENCE=0.6.
    model_config = SettingsConfigDict(env_prefix="POSE_STUDIO_", env_nested_delimiter="__")
    secret_fields: ClassVar[tuple[str, ...]] = ("token", "metrics_token")

    host: str = "127.0.0.1"
    port: int = Field(8000, ge=0, le=65535)
    frontend_dir: Path = Path(__file__).resolve().parents[2] / "frontend_build" / "dist"

    token: SecretStr | None = None

    default_engine: str = "mediapipe"
    engines: CsvList = Field(default_factory=lambda: ["mediapipe"])
    workers: int = Field(default_factory=lambda: os.cpu_count() or 1, ge=1, le=256)
    max_idle_engines: int = Field(2, ge=0, le=64)
    # Per engine key, its plugin's config (validated by the plugin's model at startup).
    engine_config: dict[str, dict[str, Any]] = Field(default_factory=dict)

    max_streams_per_connection: int = Field(10, ge=1, le=100)
    # The global budget (docs/security.md, Limits): unset, derived from the host's memory
    # and the engines' declared footprint; per person across all their connections.
    max_streams_total: int | None = Field(None, ge=1)
    max_engine_instances: int | None = Field(None, ge=1)
    max_streams_per_person: int = Field(32, ge=1)
    max_frame_bytes: int = Field(2_000_000, ge=1024)
    max_width: int = Field(1920, ge=16)
    max_height: int = Field(1920, ge=16)
    max_in_flight: int = Field(2, ge=1, le=16)
    credit_window: int = Field(
        1,
        ge=1,
        le=4,
        description="frames a client using credits is granted at each of its stream's turns "
        "(beyond those received); above 1 the extra ones wait, and are superseded, in its slot",
    )
    credit_at_turn: bool = Field(
        True,
        description="grant a credit at the stream's turn for a worker (docs/protocol.md); "
        "false: the moment its previous frame leaves the slot (the first design, for "
        "comparison)",
    )
    max_fps: float = Field(30.0, gt=0)
    history_seconds: float = Field(120.0, ge=0)
    # -- the pipeline (docs/architecture.md) --
    # The batching scheduler: at most this many streams' frames per engine call, and the
    # longest the first of them waits for the batch to fill.
    batch_max_size: int = Field(8, ge=1, le=256)
    batch_max_wait_ms: float = Field(5.0, ge=0, le=10_000)
    # Results buffered per sink before the oldest is dropped (and counted); lossless
    # sinks (the recorder) get the larger buffer and tell the owner when it is full.
    sink_buffer: int = Field(8, ge=1, le=1024)
    lossless_sink_buffer: int = Field(256, ge=1, le=65536)
    # -- the body model (docs/kinematics.md) --
    # A T-pose calibration measures this many seconds of frames (by their capture time);
    # the verdict is "too few frames" when they have not come after twice that plus 5 s.
    calibration_seconds: float = Field(2.0, ge=0.5, le=10.0)

    # WebRTC on the LAN (docs/protocol.md, "WebRTC"): the camera as a video track, poses
    # on a data channel. ICE servers are "stun:host:port" / "turn:host:port" URLs (none by
    # default: host candidates on the LAN); the TURN user and credential apply to every
    # turn: URL. A peer that sends no frame for the idle timeout is closed.
    webrtc_enabled: bool = True
    webrtc_max_peers: int = Field(8, ge=0, le=256)
    webrtc_ice_servers: CsvList = Field(default_factory=list)
    webrtc_turn_username: str | None = None
    webrtc_turn_credential: SecretStr | None = None
    webrtc_idle_timeout_s: float = Field(10.0, gt=0, le=300)
    webrtc_max_bitrate_kbps: int = Field(2500, ge=100, le=50_000)

    # Serve the agent service in-process under /agent when its package is installed.
    agent_embedded: bool = True

    # Limits before authentication (docs/security.md, "Limits"); keep this block whole.
    # Request line and headers together, as the HTTP parser reads them.
    max_header_bytes: int = Field(16 * 1024, ge=1024, le=1024 * 1024)
    # HTTP request bodies outside Socket.IO (whose limit follows max_frame_bytes).
    max_body_bytes: int = Field(1024 * 1024, ge=1024)
    # Host names served besides localhost, the CORS origins' hosts and IP literals;
    # "*" serves any name (only behind a proxy that sets Host itself).
    allowed_hosts: CsvList = Field(default_factory=list)
    # Addresses or networks whose X-Forwarded-* headers are believed.
    trusted_proxies: CsvList = Field(default_factory=list)
    engineio_connect_timeout_s: float = Field(5.0, gt=0, le=60)
    max_pending_sessions_per_address: int = Field(64, ge=1)
    auth_failures_per_minute: int = Field(20, ge=1)
    # Socket.IO long-polling besides WebSocket (off: see docs/protocol.md).
    allow_polling: bool = False
    # SIGTERM ends the process within this, whatever clients do.
    shutdown_timeout_s: int = Field(10, ge=1, le=300)

    @field_validator("trusted_proxies")
    @classmethod
    def _proxy_networks(cls, value: list[str]) -> list[str]:
        for entry in value:
            ipaddress.ip_network(entry, strict=False)
        return value

    # Accounts. Unset: a SQLite file in data_dir; production points this at PostgreSQL.
    database_url: SecretStr | None = None
    session_hours: float = Field(12.0, gt=0, le=24 * 90)
    login_window_seconds: float = Field(900.0, gt=0)
    login_failures_per_account: int = Field(5, ge=1)
    login_failures_per_client: int = Field(20, ge=1)

    # Phones on the LAN (README, "Pair a phone"): TLS with a local CA made in
    # data_dir/tls, or the operator's certificate and key; pairing codes and the
    # stream-only tokens they become.
    https: bool = False
    tls_cert_file: Path | None = None
    tls_key_file: Path | None = None
    pairing_code_seconds: float = Field(300.0, gt=0, le=3600)
    pairing_token_hours: float = Field(12.0, gt=0, le=24 * 30)
    pairing_claim_failures_per_minute: int = Field(10, ge=1)
    # The address a phone opens (https://studio.lan:8000); unset: this host's LAN address.
    pairing_base_url: str | None = None

    # Sessions (docs/sessions.md): where recordings are kept, how often the writer
    # publishes (what a crash may lose), and the limits that stop a recording cleanly.
    storage_backend: Literal["local", "s3"] = "local"
    record_flush_seconds: float = Field(1.0, gt=0, le=30)
    max_session_seconds: float = Field(3600.0, gt=0)
    session_quota_bytes: int = Field(10 * 1024**3, ge=0)
    max_streams_per_session: int = Field(16, ge=1, le=256)
    # A recorded stream whose connection drops keeps its session recording this long:
    # the same person's stream of the same name started again (the page reconnecting)
    # records on into it. 0: the session ends with its streams at once.
    record_rejoin_seconds: float = Field(15.0, ge=0, le=300)
    s3_bucket: str = "posestudio"
    s3_prefix: str = ""
    s3_endpoint_url: str | None = None
    s3_region: str = "us-east-1"
    s3_access_key_id: str | None = None
    s3_secret_access_key: SecretStr | None = None
    s3_multipart_bytes: int = Field(8 * 1024**2, ge=5 * 1024**2)

    # Jobs (clips, exports; docs/sessions.md): RQ on this Redis when set (run
    # `posestudio worker`), otherwise a small thread pool in the server.
    redis_url: SecretStr | None = None
    jobs_queue: str = "posestudio"
    jobs_prefix: str = "posestudio:"
    job_workers: int = Field(2, ge=1, le=32)
    job_timeout_s: float = Field(900.0, gt=0)
    max_clip_seconds: float = Field(300.0, gt=0)

    # Robots (docs/robots.md): the backend's side; the safety envelope is the robot service's.
    robot_command_deadline_ms: int = Field(400, ge=50, le=5000)
    robot_command_timeout_s: float = Field(1.0, gt=0, le=30)
    robot_lease_idle_s: float = Field(3.0, gt=0, le=600)
    robot_telemetry_hz: float = Field(10.0, gt=0, le=10)
    robot_audit_interval_s: float = Field(1.0, gt=0, le=60)

    @model_validator(mode="after")
    def _default_engine_enabled(self) -> Settings:
        if self.default_engine not in self.engines:
            raise ValueError(f"default_engine {self.default_engine!r} is not in engines")
        return self

    @property
    def resolved_database_url(self) -> str:
        if self.database_url is not None:
            return self.database_url.get_secret_value()
        return f"sqlite:///{(self.data_dir / 'posestudio.db').resolve()}"

    @property
    def frontend_available(self) -> bool:
        return (self.frontend_dir / "index.html").is_file()
