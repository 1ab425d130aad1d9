"""`posestudio db upgrade | downgrade | current`: the database's migrations."""

from __future__ import annotations

from typing import Annotated

import typer

from posestudio.db.database import Database
from posestudio.settings import Settings

app = typer.Typer(help="The database (SQLite in data/, or POSE_STUDIO_DATABASE_URL).")


def _database() -> Database:
    return Database(Settings().resolved_database_url)


@app.command()
def upgrade(
    revision: Annotated[str, typer.Argument(help="Target revision")] = "head",
) -> None:
    """Migrate forward (to the newest revision by default)."""
    database = _database()
    database.upgrade(revision)
    typer.echo(f"database at {database.current()}")


@app.command()
def downgrade(
    revision: Annotated[
        str, typer.Argument(help="Target revision ('base': empty, '-1': one back)")
    ],
) -> None:
    """Migrate back to an older revision."""
    database = _database()
    database.downgrade(revision)
    typer.echo(f"database at {database.current() or 'base'}")


@app.command()
def current() -> None:
    """Print the revision the database is at ('base' when never migrated)."""
    typer.echo(_database().current() or "base")
