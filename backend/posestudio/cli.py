"""The `posestudio` command line."""

from __future__ import annotations

import asyncio
import logging
import os
import re
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from posestudio.settings import Settings
from posestudio_cli import db as db_commands
from posestudio_cli import users as account_commands

app = typer.Typer(help="Pose Studio: real-time human pose.", no_args_is_help=True)


TOKEN_IN_QUERY = re.compile(r"(?<=[?&])token=[^&\s]*")


class RedactTokens(logging.Filter):
    """Hides `?token=` values in uvicorn's access log: HTTP routes accept the token there."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                TOKEN_IN_QUERY.sub("token=[redacted]", arg) if isinstance(arg, str) else arg
                for arg in record.args
            )
        return True


def _redact_access_log() -> None:
    # uvicorn's logging config keeps a logger's filters, so this holds once it is applied.
    logging.getLogger("uvicorn.access").addFilter(RedactTokens())


def _settings(**overrides: Any) -> Settings:
    return Settings(**{k: v for k, v in overrides.items() if v is not None})


def _access_token(settings: Settings) -> str:
    from posestudio_core.auth import load_or_create_token

    if settings.token is not None:
        return settings.token.get_secret_value()
    return load_or_create_token(settings.data_dir)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Bind address")] = None,
    port: Annotated[int | None, typer.Option(help="Port (0 picks a free one)")] = None,
    engine: Annotated[str | None, typer.Option(help="Default pose engine")] = None,
    workers: Annotated[int | None, typer.Option(help="Inference worker threads")] = None,
) -> None:
    """Run the pose backend (and the web studio, when it is built)."""
    import uvicorn

    from posestudio.accounts.service import Accounts
    from posestudio.app import create_app
    from posestudio.runtime import build_runtime
    from posestudio.sessions.service import Sessions

    settings = _settings(host=host, port=port, default_engine=engine, workers=workers)
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    token = _access_token(settings)
    # The token (set, or generated into data/token) stays an admin API token beside accounts.
    accounts = Accounts(settings, bootstrap_token=token)
    runtime = build_runtime(settings, authenticator=accounts.authenticator)
    sessions = Sessions(settings, database=accounts.database)
    asgi: Any = create_app(runtime, accounts=accounts, sessions=sessions)
    shown = "127.0.0.1" if settings.host in ("0.0.0.0", "::") else settings.host
    agent = _embedded_agent(settings, f"http://{shown}:{settings.port}", token)
    if agent is not None:
        from posestudio.dispatch import PathDispatcher

        asgi = PathDispatcher(asgi, {"/agent": agent[1]})
    config = uvicorn.Config(
        asgi,
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level,
        ws="websockets-sansio",
    )
    _redact_access_log()
    server = uvicorn.Server(config)

    async def run() -> None:
        serving = asyncio.create_task(server.serve())
        while not server.started:
            if serving.done():
                return await serving
            await asyncio.sleep(0.05)
        bound = server.servers[0].sockets[0].getsockname()[1] if server.servers else settings.port
        if agent is not None:
            # With port 0 the port is known only now, before any question can run.
            agent[0].backend_url = f"http://{shown}:{bound}"
        # Outside development the token would end up in container logs: leave it out.
        query = f"?token={token}" if settings.environment == "development" else ""
        typer.echo(
            f"\nPose Studio is running. Open:\n\n    http://{shown}:{bound}/{query}\n",
            err=True,
        )
        if settings.environment == "development" and accounts.needs_setup():
            typer.echo(
                "No account yet: create the first admin at\n\n"
                f"    http://{shown}:{bound}/setup?code={accounts.setup.code}\n",
                err=True,
            )
        if not settings.frontend_available:
            typer.echo("(the web studio is not built: `make setup` builds it)", err=True)
        await serving

    asyncio.run(run())


def _embedded_agent(settings: Settings, backend_url: str, token: str) -> tuple[Any, Any] | None:
    """(agent settings, agent app) to serve under /agent, when embedded and installed."""
    if not settings.agent_embedded:
        return None
    try:
        from posestudio_agent.service import build_service
        from posestudio_agent.settings import AgentSettings
    except ImportError as exc:
        logging.getLogger(__name__).info("agent not embedded: %s", exc)
        return None
    # In-process jobs and the backend's own token; model, tools and limits come from the
    # usual POSE_STUDIO_AGENT_* settings.
    agent_settings = AgentSettings(
        redis_url=None, backend_url=backend_url, cors_origins=settings.cors_origins
    )
    return agent_settings, build_service(agent_settings, token)


@app.command()
def engines() -> None:
    """List the pose engines and whether each can load here."""
    from posestudio.engines import default_registry

    settings = _settings()
    logging.basicConfig(level=logging.WARNING)
    registry = default_registry(settings.engines)
    failed = False
    for name in registry.names:
        info = registry.load(name)
        status = "ok" if info.loaded else f"FAILED ({info.error})"
        failed |= not info.loaded
        default = " (default)" if name == settings.default_engine else ""
        typer.echo(f"{name}{default}\t{info.device}\t{status}\t{info.description}")
    registry.close()
    raise typer.Exit(1 if failed else 0)


@app.command()
def stream(
    source: Annotated[
        str, typer.Argument(help="Video file, camera index, or 'test' for the packaged video")
    ] = "test",
    url: Annotated[str, typer.Option(help="Backend URL")] = "http://127.0.0.1:8000",
    token: Annotated[
        str | None, typer.Option(help="Access token (default: POSE_STUDIO_TOKEN or data/token)")
    ] = None,
    fps: Annotated[float, typer.Option(help="Frames per second to send")] = 10.0,
    quality: Annotated[int, typer.Option(min=1, max=100, help="JPEG quality")] = 70,
    size: Annotated[str | None, typer.Option(help="Resize to WxH, e.g. 1280x720")] = None,
    out: Annotated[
        Path | None, typer.Option(help="Write poses as JSON lines here ('-' for stdout)")
    ] = None,
    engine: Annotated[str | None, typer.Option(help="Pose engine")] = None,
    smoothing: Annotated[bool, typer.Option(help="One-Euro smoothing")] = False,
    limit: Annotated[int | None, typer.Option(help="Stop after this many frames")] = None,
) -> None:
    """Stream a video file or camera to a backend and print or save the poses."""
    from posestudio.client.run import stream_source
    from posestudio.client.sources import parse_size, test_video_path

    resolved: str | int | Path
    if source == "test":
        resolved = test_video_path()
    elif source.isdigit():
        resolved = int(source)
    else:
        resolved = Path(source)
    access = token or os.environ.get("POSE_STUDIO_TOKEN") or _access_token(_settings())
    from posestudio.client import PoseClientError

    to_stdout = out is not None and str(out) == "-"
    handle = sys.stdout if to_stdout else (out.open("w") if out else None)
    try:
        report = asyncio.run(
            stream_source(
                resolved,
                url=url,
                token=access,
                fps=fps,
                quality=quality,
                size=parse_size(size) if size else None,
                out=handle,
                engine=engine,
                smoothing=smoothing,
                limit=limit,
                show_progress=sys.stderr.isatty(),
            )
        )
    except PoseClientError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    finally:
        if handle is not None and not to_stdout:
            handle.close()
    p50 = report.latency_p50
    summary = (
        f"sent {report.sent} frames, got {report.poses} poses ({report.with_person} with a "
        f"person), skipped {report.skipped}, server dropped {report.dropped}, "
        f"latency p50 {p50:.1f} ms"
        if p50 is not None
        else "no poses received"
    )
    # With poses on stdout, the summary goes to stderr so the JSON lines stay clean.
    typer.echo(summary, err=to_stdout)
    for error in report.errors[:5]:
        typer.echo(f"error: {error.get('code')}: {error.get('message')}", err=True)
    if report.poses == 0:
        raise typer.Exit(1)


@app.command()
def bench(
    url: Annotated[
        str | None, typer.Option(help="Target this backend (default: start one on a free port)")
    ] = None,
    token: Annotated[
        str | None, typer.Option(help="Token for --url (default: POSE_STUDIO_TOKEN)")
    ] = None,
    clients: Annotated[str, typer.Option(help="Client counts to sweep, comma-separated")] = (
        "1,2,4,10"
    ),
    fps: Annotated[float, typer.Option(help="Frames per second per client")] = 10.0,
    size: Annotated[str, typer.Option(help="Frame size WxH")] = "1280x720",
    quality: Annotated[int, typer.Option(min=1, max=100, help="JPEG quality")] = 70,
    duration: Annotated[float, typer.Option(min=1, help="Seconds per sweep step")] = 10.0,
    workers: Annotated[
        int | None, typer.Option(help="Server and ceiling workers (default: the setting)")
    ] = None,
    respect_in_flight: Annotated[
        bool,
        typer.Option(help="Skip frames at max_in_flight like the browser, or send every frame"),
    ] = True,
    soak: Annotated[bool, typer.Option(help="Also soak: 10 streams for --soak-duration")] = False,
    soak_duration: Annotated[float, typer.Option(help="Soak seconds")] = 300.0,
    idle_connections: Annotated[
        int, typer.Option(help="Also hold this many idle connections while 10 stream")
    ] = 0,
    no_sweep: Annotated[bool, typer.Option(help="Skip the sweep (soak/idle only)")] = False,
    json_path: Annotated[
        Path | None, typer.Option("--json", help="Write the results as JSON here")
    ] = None,
    markdown_path: Annotated[
        Path | None, typer.Option("--markdown", help="Write the table as Markdown here")
    ] = None,
) -> None:
    """Measure served throughput and latency against the engine's bare-loop ceiling."""
    from rich.console import Console

    from posestudio.bench.report import render, write_json, write_markdown
    from posestudio.bench.suite import BenchOptions, run_bench
    from posestudio.client.sources import parse_size

    logging.basicConfig(level=logging.WARNING)
    counts = tuple(int(n) for n in clients.split(",") if n.strip())
    options = BenchOptions(
        url=url,
        token=token or os.environ.get("POSE_STUDIO_TOKEN"),
        clients=counts,
        fps=fps,
        size=parse_size(size),
        quality=quality,
        duration=duration,
        workers=workers,
        respect_in_flight=respect_in_flight,
        soak=soak,
        soak_duration=soak_duration,
        idle_connections=idle_connections,
        sweep=not no_sweep and bool(counts),
    )
    progress_console = Console(stderr=True) if sys.stderr.isatty() else None
    report = asyncio.run(run_bench(options, _settings(), progress_console))
    # A pipe gets the full-width table rather than rich's 80 columns.
    render(report, Console() if sys.stdout.isatty() else Console(width=320))
    if json_path is not None:
        write_json(report, json_path)
    if markdown_path is not None:
        write_markdown(report, markdown_path)


app.add_typer(db_commands.app, name="db")
app.add_typer(account_commands.users_app, name="users")
app.add_typer(account_commands.tokens_app, name="tokens")

agent_app = typer.Typer(help="The agent service: questions about your streams.")
app.add_typer(agent_app, name="agent")


@agent_app.command("serve")
def agent_serve(
    host: Annotated[str | None, typer.Option(help="Bind address")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default 8001)")] = None,
) -> None:
    """Run the agent service on its own (RQ jobs when POSE_STUDIO_AGENT_REDIS_URL is set)."""
    import uvicorn

    from posestudio_agent.service import access_token, build_service
    from posestudio_agent.settings import AgentSettings

    overrides: dict[str, Any] = {"host": host, "port": port}
    settings = AgentSettings(**{k: v for k, v in overrides.items() if v is not None})
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    asgi = build_service(settings, access_token(settings))
    _redact_access_log()
    uvicorn.run(
        asgi,
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level,
        ws="websockets-sansio",
    )


@agent_app.command("worker")
def agent_worker(
    burst: Annotated[bool, typer.Option(help="Exit when the queue is empty")] = False,
) -> None:
    """Run agent jobs from the RQ queue on POSE_STUDIO_AGENT_REDIS_URL."""
    from posestudio_agent.service import access_token, build_worker
    from posestudio_agent.settings import AgentSettings

    settings = AgentSettings()
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    worker = build_worker(settings, access_token(settings))
    worker.work(burst=burst, with_scheduler=False)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
