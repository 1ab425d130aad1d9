"""`posestudio engines`: which pose engines load here; `engines export` writes models out."""

from __future__ import annotations

import logging
from pathlib import Path

import typer

from posestudio_cli.common import backend_settings, engine_registry

app = typer.Typer(help="List the pose engines and whether each can load here.")


@app.callback(invoke_without_command=True)
def engines(ctx: typer.Context) -> None:
    """List the pose engines and whether each can load here."""
    if ctx.invoked_subcommand is not None:
        return
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


@app.command("export")
def export(
    engine: str = typer.Argument(..., help="the engine whose models to write (blazepose)"),
    onnx: Path = typer.Option(..., "--onnx", help="folder for the ONNX files"),
) -> None:
    """Write an engine's models as ONNX (for onnxruntime-gpu or Triton)."""
    if engine != "blazepose":
        typer.echo(f"error: engine {engine!r} has no ONNX export (only blazepose)", err=True)
        raise typer.Exit(2)
    from posestudio.engines.blazepose.export import export_onnx

    for path in export_onnx(onnx):
        typer.echo(str(path))
