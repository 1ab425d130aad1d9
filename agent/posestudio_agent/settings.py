"""The agent service's one settings object, read once at its entry point and passed down."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import SettingsConfigDict

from posestudio_core.settings import CsvList, ServiceSettings

SESSION_TOOLS = ("list_sessions", "session_stats", "session_events")
TOOLS = ("live_streams", "pose_stats", "system_info", *SESSION_TOOLS, "web_search")
DEFAULT_TOOLS = ["live_streams", "pose_stats", "system_info", *SESSION_TOOLS]

CONFIGURE_HINT = (
    "No language model is configured for the agent. Set POSE_STUDIO_AGENT_MODEL to a "
    "provider string such as 'openai:gpt-4o-mini' (with OPENAI_API_KEY or "
    "POSE_STUDIO_AGENT_API_KEY), 'anthropic:claude-sonnet-4-5' or 'ollama:llama3.1', or "
    "point it at any OpenAI-compatible server (vLLM, llama.cpp) with "
    "POSE_STUDIO_AGENT_BASE_URL=http://host:port/v1 and POSE_STUDIO_AGENT_MODEL=<model name>; "
    "then restart the agent service."
)


class AgentSettings(ServiceSettings):
    """Everything the agent service can be told; env prefix `POSE_STUDIO_AGENT_`."""

    # Merged with the base's configuration (.env, empty variables unset).
    model_config = SettingsConfigDict(env_prefix="POSE_STUDIO_AGENT_")
    secret_fields: ClassVar[tuple[str, ...]] = ("token", "metrics_token")

    host: str = "127.0.0.1"
    port: int = Field(8001, ge=0, le=65535)

    # The language model: a provider string ("openai:gpt-4o-mini"), or a model name
    # served by the OpenAI-compatible server at `base_url`.
    model: str | None = None
    base_url: str | None = None
    api_key: SecretStr | None = None
    temperature: float = Field(0.0, ge=0, le=2)

    tools: CsvList = Field(default_factory=lambda: list(DEFAULT_TOOLS))
    web_search_provider: Literal["none", "searxng"] = "none"
    web_search_url: str | None = None

    backend_url: str = "http://127.0.0.1:8000"
    # The access token the backend accepts; None reads (or creates) data_dir/token.
    token: SecretStr | None = None

    # How long the backend's answer about a credential is trusted (GET /api/auth/me).
    auth_cache_s: float = Field(10.0, ge=0, le=300)
    auth_cache_size: int = Field(1024, ge=1, le=1_000_000)

    redis_url: str | None = None
    key_prefix: str = "pose_agent:"
    queue_name: str = "pose-agent"

    result_ttl_s: int = Field(600, ge=10, le=86_400)
    request_timeout_s: float = Field(30.0, gt=0, le=300)
    tool_timeout_s: float = Field(10.0, gt=0, le=120)
    max_steps: int = Field(6, ge=1, le=50)
    max_answer_chars: int = Field(4000, ge=100, le=100_000)
    max_question_chars: int = Field(1000, ge=10, le=10_000)
    rate_limit_per_minute: int = Field(10, ge=1, le=10_000)
    max_queued: int = Field(20, ge=1, le=10_000)
    local_workers: int = Field(2, ge=1, le=16)

    @field_validator("tools")
    @classmethod
    def _known_tools(cls, value: list[str]) -> list[str]:
        unknown = sorted(set(value) - set(TOOLS))
        if unknown:
            raise ValueError(f"unknown tools {unknown}; known: {list(TOOLS)}")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> AgentSettings:
        if self.web_search_provider != "none" and not self.web_search_url:
            raise ValueError("web_search_provider needs web_search_url")
        return self

    @property
    def configured(self) -> bool:
        """A model is set, so requests can run."""
        return bool(self.model)

    def enabled_tools(self) -> list[str]:
        """The allowlist, less web_search while no search provider is configured."""
        return [
            name
            for name in self.tools
            if name != "web_search" or self.web_search_provider != "none"
        ]
