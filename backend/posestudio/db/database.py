"""The database: an engine built from the settings' URL, and its migrations."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlmodel import Session


def utcnow() -> datetime:
    """Now, aware, in UTC: SQLModel's datetime columns store and return UTC on both
    SQLite and PostgreSQL."""
    return datetime.now(UTC)


def _configure_sqlite(dbapi_connection: Any, _: Any) -> None:
    cursor = dbapi_connection.cursor()
    # SQLite ignores ON DELETE CASCADE unless each connection asks for it.
    cursor.execute("PRAGMA foreign_keys=ON")
    # Readers (every authenticated request) do not wait for a writer (a sign-in).
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


class Database:
    """One engine per process, shared by request sessions and the authenticator."""

    def __init__(self, url: str) -> None:
        self.url = url
        parsed = make_url(url)
        self.is_sqlite = parsed.get_backend_name() == "sqlite"
        kwargs: dict[str, Any] = {"pool_pre_ping": True}
        if self.is_sqlite:
            if parsed.database and parsed.database != ":memory:":
                Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            # Request sessions run on FastAPI's thread pool, not the thread that opened them.
            kwargs["connect_args"] = {"check_same_thread": False}
        elif parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
            # Plain postgresql:// means psycopg 3 here (the one driver we ship).
            url = parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
        self.engine: Engine = create_engine(url, **kwargs)
        if self.is_sqlite:
            event.listen(self.engine, "connect", _configure_sqlite)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session that commits nothing by itself; callers commit what they change."""
        with Session(self.engine, expire_on_commit=False) as session:
            yield session

    def upgrade(self, revision: str = "head") -> None:
        """Migrate to `revision` (the newest by default)."""
        from posestudio.db import migrate

        migrate.upgrade(self.engine, revision)

    def upgrade_at_start(self) -> None:
        """Migrate to the newest revision, unless the database is already past it."""
        from posestudio.db import migrate

        migrate.upgrade_at_start(self.engine)

    def downgrade(self, revision: str) -> None:
        from posestudio.db import migrate

        migrate.downgrade(self.engine, revision)

    def current(self) -> str | None:
        """The revision the database is at (None: never migrated)."""
        from posestudio.db import migrate

        return migrate.current(self.engine)

    def close(self) -> None:
        self.engine.dispose()
