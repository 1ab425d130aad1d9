"""The `posestudio` command line: one small module per command group."""

from __future__ import annotations

import typer

from posestudio_cli import agent, bench, db, engines, robot, serve, stream, users, worker

app = typer.Typer(help="Pose Studio: real-time human pose.", no_args_is_help=True)
app.command()(serve.serve)
app.add_typer(engines.app, name="engines")
app.command()(stream.stream)
app.command()(bench.bench)
app.command()(worker.worker)
app.add_typer(db.app, name="db")
app.add_typer(users.users_app, name="users")
app.add_typer(users.tokens_app, name="tokens")
app.add_typer(agent.app, name="agent")
app.add_typer(robot.app, name="robot")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
