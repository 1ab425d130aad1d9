"""Alembic's environment: the engine comes from `posestudio.db.migrate.config`."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine

from posestudio.db.tables import metadata

engine: Engine = context.config.attributes["engine"]
with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        # SQLite alters tables by copying them.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
