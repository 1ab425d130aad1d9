"""The data layer: one SQLModel engine, Alembic migrations, a session per request."""

from posestudio.db.database import Database, utcnow
from posestudio.db.session import SessionDep, get_db_session

__all__ = ["Database", "SessionDep", "get_db_session", "utcnow"]
