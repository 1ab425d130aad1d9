"""Alembic, run from code: the migrations live in the package, the URL comes from settings.

There is no alembic.ini: the configuration is built here, so `posestudio db …`, the app's
start and the tests all migrate the same database the settings name.
"""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    # env.py runs on this engine's connection instead of building its own from a URL.
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    command.upgrade(config(engine), revision)


def upgrade_at_start(engine: Engine) -> None:
    """Migrate forward at startup, unless a newer release already migrated further.

    After a rollback, the older image finds a revision it does not know: the migrations
    keep older releases working, so it serves on that schema instead of failing to start.
    """
    at = current(engine)
    if at is not None and at not in revisions():
        log.warning("database is at revision %s, newer than this release: not migrating", at)
        return
    upgrade(engine)


def downgrade(engine: Engine, revision: str) -> None:
    command.downgrade(config(engine), revision)


def current(engine: Engine) -> str | None:
    with engine.connect() as connection:
        revision: str | None = MigrationContext.configure(connection).get_current_revision()
        return revision


def revisions() -> list[str]:
    """Every revision id, oldest first."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory(str(MIGRATIONS))
    return [rev.revision for rev in reversed(list(script.walk_revisions()))]
