"""`posestudio serve`: the pose backend, the studio, and the agent embedded under /agent."""

from __future__ import annotations

import asyncio
import logging
from typing import Annotated, Any

import typer

from posestudio.pairing.tls import TlsFiles
from posestudio.settings import Settings
from posestudio_cli.common import (
    access_token,
    backend_settings,
    configure_logging,
    engine_registry,
    uvicorn_config,
)

log = logging.getLogger(__name__)


def serve(
    host: Annotated[str | None, typer.Option(help="Bind address")] = None,
    port: Annotated[int | None, typer.Option(help="Port (0 picks a free one)")] = None,
    engine: Annotated[str | None, typer.Option(help="Default pose engine")] = None,
    workers: Annotated[int | None, typer.Option(help="Inference worker threads")] = None,
    https: Annotated[
        bool | None,
        typer.Option(
            "--https/--no-https",
            help="TLS with a local CA made in the data directory (phones need it for their camera)",
        ),
    ] = None,
) -> None:
    """Run the pose backend (and the web studio, when it is built)."""
    import uvicorn

    from posestudio.accounts.service import Accounts
    from posestudio.app import create_app, fastapi_app
    from posestudio.robots.service import Robots
    from posestudio.runtime import build_runtime
    from posestudio.sessions.service import Sessions
    from posestudio.transports.limits import guard, server_options

    backend = backend_settings(
        host=host, port=port, default_engine=engine, workers=workers, https=https
    )
    configure_logging(backend.log_level)
    tls = tls_files(backend)
    token = access_token(backend)
    registry = engine_registry(backend)
    # The token (set, or generated into data/token) stays an admin API token beside accounts.
    accounts = Accounts(backend, bootstrap_token=token)
    runtime = build_runtime(
        backend,
        authenticator=accounts.authenticator,
        registry=registry,
        accounts=accounts,
        sessions=Sessions(backend, database=accounts.database),
        robots=Robots(backend, database=accounts.database),
    )
    asgi: Any = create_app(runtime)
    shown = "127.0.0.1" if backend.host in ("0.0.0.0", "::") else backend.host
    scheme = "https" if tls is not None else "http"
    agent = embedded_agent(backend, f"{scheme}://{shown}:{backend.port}", token, accounts)
    edge = fastapi_app(asgi).state.edge
    if agent is not None:
        from posestudio_cli.dispatch import PathDispatcher

        asgi = PathDispatcher(asgi, {"/agent": agent[1]})
    # hardening (issue 18): the edge limits wrap everything served, the agent included.
    config = uvicorn_config(
        guard(asgi, backend, edge),
        host=backend.host,
        port=backend.port,
        log_level=backend.log_level,
        **server_options(backend),
        **(
            {"ssl_certfile": str(tls.cert), "ssl_keyfile": str(tls.key) if tls.key else None}
            if tls is not None
            else {}
        ),
    )
    server = uvicorn.Server(config)

    async def run() -> None:
        serving = asyncio.create_task(server.serve())
        while not server.started:
            if serving.done():
                return await serving
            await asyncio.sleep(0.05)
        bound = server.servers[0].sockets[0].getsockname()[1] if server.servers else backend.port
        if agent is not None:
            # With port 0 the port is known only now, before any question can run.
            agent[0].backend_url = f"{scheme}://{shown}:{bound}"
        # Outside development the token would end up in container logs: leave it out.
        query = f"?token={token}" if backend.environment == "development" else ""
        typer.echo(
            f"\nPose Studio is running. Open:\n\n    {scheme}://{shown}:{bound}/{query}\n",
            err=True,
        )
        if tls is not None:
            typer.echo(tls_notice(tls, backend.host, bound), err=True)
        if backend.environment == "development" and accounts.needs_setup():
            typer.echo(
                "No account yet: create the first admin at\n\n"
                f"    http://{shown}:{bound}/setup?code={accounts.setup.code}\n",
                err=True,
            )
        if not backend.frontend_available:
            typer.echo("(the web studio is not built: `make setup` builds it)", err=True)
        await serving

    asyncio.run(run())


def tls_files(backend: Settings) -> TlsFiles | None:
    """The certificate to serve with --https: the operator's, or the local CA's (made once)."""
    if not backend.https:
        return None
    from posestudio.pairing.tls import ensure_certificate, operator_files

    if backend.tls_cert_file is not None:
        return operator_files(backend.tls_cert_file, backend.tls_key_file)
    extra = [h for h in backend.allowed_hosts if h != "*"]
    return ensure_certificate(backend.data_dir, extra)


def tls_notice(tls: TlsFiles, host: str, port: int) -> str:
    """What the operator needs to pair a phone: its address, and what to trust."""
    lan = [h for h in tls.hosts if h not in ("localhost", "127.0.0.1", "::1")]
    lines = ["HTTPS for phones on this network:"]
    if host in ("127.0.0.1", "localhost", "::1"):
        lines.append("  (bound to loopback only: add --host 0.0.0.0 so phones can reach it)")
    lines += [f"    https://{h}:{port}/" for h in lan]
    if tls.ca is not None:
        lines.append(f"Local CA certificate (trust it once on each phone): {tls.ca}")
        lines.append(f"  also at https://<address>:{port}/api/pairing/ca.pem")
    lines.append(f"SHA-256 fingerprint: {tls.fingerprint}")
    return "\n".join(lines) + "\n"


def embedded_agent(
    backend: Settings, backend_url: str, token: str, accounts: Any = None
) -> tuple[Any, Any] | None:
    """(agent settings, agent app) to serve under /agent, when embedded and installed."""
    if not backend.agent_embedded:
        return None
    try:
        from posestudio_agent.service import build_service
        from posestudio_agent.settings import AgentSettings
    except ImportError as exc:
        log.info("agent not embedded: %s", exc)
        return None
    # In-process jobs, the backend's own token and its accounts (people are recognised
    # in-process; their jobs call the backend as them); model, tools and limits come from
    # the usual POSE_STUDIO_AGENT_* settings.
    agent_settings = AgentSettings(
        redis_url=None, backend_url=backend_url, cors_origins=backend.cors_origins
    )
    authenticator = accounts.authenticator if accounts is not None else None
    return agent_settings, build_service(agent_settings, token, authenticator)
