"""One database session per request, through one dependency."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlmodel import Session

from posestudio.db.database import Database


def get_database(request: Request) -> Database:
    database: Database = request.app.state.database
    return database


def get_db_session(request: Request) -> Iterator[Session]:
    """The request's session; rolled back if the route fails before committing."""
    with get_database(request).session() as session:
        yield session


DatabaseDep = Annotated[Database, Depends(get_database)]
SessionDep = Annotated[Session, Depends(get_db_session)]
