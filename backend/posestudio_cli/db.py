"""`posestudio db upgrade | downgrade | current`: the database's migrations."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from posestudio.db.database import Database

app = typer.Typer(help="The database (SQLite in data/, or POSE_STUDIO_DATABASE_URL).")


def open_database() -> Database:
    """The database the settings name (imports kept here: `posestudio --help` stays fast)."""
    from posestudio.db.database import Database
    from posestudio.settings import Settings

    return Database(Settings().resolved_database_url)


@app.command()
def upgrade(
    revision: Annotated[str, typer.Argument(help="Target revision")] = "head",
) -> None:
    """Migrate forward (to the newest revision by default)."""
    database = open_database()
    try:
        database.upgrade(revision)
        typer.echo(f"database at {database.current()}")
    finally:
        database.close()


@app.command()
def downgrade(
    revision: Annotated[str, typer.Argument(help="Target ('base': empty, '-1': one back)")],
) -> None:
    """Migrate back to an older revision."""
    database = open_database()
    try:
        database.downgrade(revision)
        typer.echo(f"database at {database.current() or 'base'}")
    finally:
        database.close()


@app.command()
def current() -> None:
    """Print the revision the database is at ('base' when never migrated)."""
    database = open_database()
    try:
        typer.echo(database.current() or "base")
    finally:
        database.close()
