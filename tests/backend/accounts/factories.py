"""Test people, made through the real CRUD functions."""

from __future__ import annotations

import itertools

from posestudio.accounts import users
from posestudio.accounts.models import Role, User, UserCreate
from posestudio.db.database import Database

PASSWORD = "correct-horse-battery-7"
_numbers = itertools.count(1)


def make_user(database: Database, role: Role = "viewer", *, email: str | None = None) -> User:
    n = next(_numbers)
    data = UserCreate(
        email=email or f"person{n}@example.com",
        display_name=f"Person {n}",
        role=role,
        password=PASSWORD,
    )
    with database.session() as session:
        return users.create_user(session=session, data=data, actor="test")
