"""Migrations from zero equal the models, and go back and forth, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from posestudio.db import migrate
from posestudio.db.database import Database
from posestudio.db.tables import metadata


def _drift(database: Database) -> list[object]:
    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, metadata))


def _tables(database: Database) -> set[str]:
    return set(inspect(database.engine).get_table_names())


def test_a_fresh_database_migrated_from_zero_equals_the_models(empty_database: Database) -> None:
    assert empty_database.current() is None
    empty_database.upgrade()
    assert empty_database.current() == migrate.revisions()[-1]
    assert _drift(empty_database) == []
    assert {table.name for table in metadata.sorted_tables} <= _tables(empty_database)


def test_downgrade_to_zero_then_upgrade_again(database: Database) -> None:
    database.downgrade("base")
    assert database.current() is None
    assert _tables(database) <= {"alembic_version"}
    database.upgrade()
    assert _drift(database) == []
    assert database.current() == migrate.revisions()[-1]


def test_every_revision_steps_down_and_up_one_at_a_time(database: Database) -> None:
    for _ in migrate.revisions():
        database.downgrade("-1")
    assert database.current() is None
    for revision in migrate.revisions():
        database.upgrade("+1")
        assert database.current() == revision
    assert _drift(database) == []


def test_upgrading_an_up_to_date_database_changes_nothing(database: Database) -> None:
    before = database.current()
    database.upgrade()
    assert database.current() == before
    assert _drift(database) == []


def test_at_start_a_database_from_a_newer_release_is_left_alone(database: Database) -> None:
    with database.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'f00dfeed'"))
    database.upgrade_at_start()
    assert database.current() == "f00dfeed"
    assert _drift(database) == []


def test_at_start_an_empty_database_is_migrated(empty_database: Database) -> None:
    empty_database.upgrade_at_start()
    assert empty_database.current() == migrate.revisions()[-1]
