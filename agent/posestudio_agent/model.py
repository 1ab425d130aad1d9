"""The chat model the settings name: a provider string, or an OpenAI-compatible server."""

from __future__ import annotations

from typing import Any

import httpx
from langchain.chat_models import init_chat_model
from langchain_core.language_models import BaseChatModel

from posestudio_agent.errors import AgentNotConfigured
from posestudio_agent.settings import CONFIGURE_HINT, AgentSettings


def build_model(settings: AgentSettings, http_client: httpx.AsyncClient) -> BaseChatModel:
    """`init_chat_model` for the configured model; raises `AgentNotConfigured` if none.

    OpenAI-protocol models get `http_client`, owned by the run: langchain-openai's default
    client is cached per process and bound to the event loop that first used it, while
    every job runs on a loop of its own.
    """
    if not settings.model:
        raise AgentNotConfigured(CONFIGURE_HINT)
    kwargs: dict[str, Any] = {
        "temperature": settings.temperature,
        "timeout": settings.request_timeout_s,
        # One retry at most: the request's hard timeout bounds everything anyway.
        "max_retries": 1,
    }
    if settings.api_key is not None:
        kwargs["api_key"] = settings.api_key.get_secret_value()
    if settings.base_url:
        # vLLM, llama.cpp, Ollama's /v1 ...: the model name is whatever the server serves,
        # and may itself contain a colon ("qwen2.5:7b").
        name = settings.model.removeprefix("openai:")
        kwargs.setdefault("api_key", "not-needed")
        kwargs["http_async_client"] = http_client
        model: BaseChatModel = init_chat_model(
            name, model_provider="openai", base_url=settings.base_url, **kwargs
        )
        return model
    if settings.model.startswith("openai:"):
        kwargs["http_async_client"] = http_client
    try:
        configured: BaseChatModel = init_chat_model(settings.model, **kwargs)
        return configured
    except ImportError as exc:
        raise AgentNotConfigured(
            f"the model provider for {settings.model!r} is not installed ({exc}); "
            "install its LangChain package or use an OpenAI-compatible base URL"
        ) from exc
    except Exception as exc:  # an unknown provider, a missing API key ...
        raise AgentNotConfigured(f"cannot use model {settings.model!r}: {exc}") from exc
