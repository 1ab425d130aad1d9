"""What the commands share: settings from options, logging with redaction, the token."""

from __future__ import annotations

import logging
from typing import Any

import typer

from posestudio.engines import EngineRegistry
from posestudio.errors import PoseStudioError
from posestudio.settings import Settings
from posestudio_core.auth import load_or_create_token
from posestudio_core.logs import install_redaction

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def backend_settings(**overrides: Any) -> Settings:
    """The backend's settings: environment and `.env`, then the options that were given."""
    return Settings(**{k: v for k, v in overrides.items() if v is not None})


def configure_logging(level: str) -> None:
    logging.basicConfig(level=level.upper(), format=LOG_FORMAT)
    install_redaction()


def access_token(backend: Settings) -> str:
    """The backend's token: set explicitly, or generated once into data_dir/token."""
    if backend.token is not None:
        return backend.token.get_secret_value()
    return load_or_create_token(backend.data_dir)


def uvicorn_config(app: Any, *, host: str, port: int, log_level: str, **options: Any) -> Any:
    """uvicorn's config for a service; its logging (applied here) gets the redaction.

    `options` are more uvicorn settings (the backend's limits: `server_options`)."""
    import uvicorn

    options = {"ws": "websockets-sansio", **options}
    config = uvicorn.Config(app, host=host, port=port, log_level=log_level, **options)
    install_redaction()
    return config


def engine_registry(backend: Settings) -> EngineRegistry:
    """The engines settings enable; a mistake there (an engine no plugin declares, an
    invalid engine config) ends the command with its message, before anything starts."""
    from posestudio.engines import default_registry

    try:
        return default_registry(
            backend.engines, max_idle=backend.max_idle_engines, config=backend.engine_config
        )
    except PoseStudioError as exc:
        typer.echo(f"error: {exc.code}: {exc.message}", err=True)
        raise typer.Exit(2) from None
