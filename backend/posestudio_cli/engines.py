"""`posestudio engines`: which pose engines load here."""

from __future__ import annotations

import logging

import typer

from posestudio_cli.common import backend_settings, engine_registry


def engines() -> None:
    """List the pose engines and whether each can load here."""
    settings = backend_settings()
    logging.basicConfig(level=logging.WARNING)
    registry = engine_registry(settings)
    failed = False
    for name in registry.names:
        info = registry.load(name)
        status = "ok" if info.loaded else f"FAILED ({info.error})"
        failed |= not info.loaded
        default = " (default)" if name == settings.default_engine else ""
        typer.echo(f"{name}{default}\t{info.device}\t{status}\t{info.description}")
    registry.close()
    raise typer.Exit(1 if failed else 0)
