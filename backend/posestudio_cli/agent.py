"""`posestudio agent serve | worker`: the agent service on its own, and its RQ worker."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from posestudio_cli.common import configure_logging, uvicorn_config

app = typer.Typer(help="The agent service: questions about your streams.")


@app.command("serve")
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
    configure_logging(settings.log_level)
    asgi = build_service(settings, access_token(settings))
    config = uvicorn_config(
        asgi, host=settings.host, port=settings.port, log_level=settings.log_level
    )
    uvicorn.Server(config).run()


@app.command("worker")
def agent_worker(
    burst: Annotated[bool, typer.Option(help="Exit when the queue is empty")] = False,
) -> None:
    """Run agent jobs from the RQ queue on POSE_STUDIO_AGENT_REDIS_URL."""
    from posestudio_agent.service import access_token, build_worker
    from posestudio_agent.settings import AgentSettings

    settings = AgentSettings()
    configure_logging(settings.log_level)
    worker = build_worker(settings, access_token(settings))
    worker.work(burst=burst, with_scheduler=False)
