"""Real databases for the data tests: a SQLite file, and a PostgreSQL database of this
test session's own (uniquely named, dropped at the end), emptied before each test.

Import the fixtures into a test package's conftest: `from tests.utils.databases import *`.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import text

from posestudio.db.database import Database

POSTGRES_ADMIN_URL = os.environ.get(
    "POSE_STUDIO_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres"
)
BACKENDS = ("sqlite", "postgresql")


def admin_sql(sql: str) -> None:
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as connection:
        connection.execute(sql)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A database of this session's own on the real PostgreSQL."""
    name = f"posestudio_test_{uuid.uuid4().hex[:12]}"
    admin_sql(f'CREATE DATABASE "{name}"')
    base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _emptied_postgres(url: str) -> Database:
    database = Database(url)
    with database.engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    return database


@pytest.fixture(params=BACKENDS)
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """An empty, never-migrated database, on SQLite and then on PostgreSQL."""
    if request.param == "sqlite":
        database = Database(f"sqlite:///{tmp_path / 'posestudio.db'}")
    else:
        database = _emptied_postgres(request.getfixturevalue("postgres_url"))
    try:
        yield database
    finally:
        database.close()


@pytest.fixture
def database(empty_database: Database) -> Database:
    """A clean database migrated to the newest revision."""
    empty_database.upgrade()
    return empty_database


__all__ = ["database", "empty_database", "postgres_url"]
