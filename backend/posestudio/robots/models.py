"""Robots and behaviours in the database (tables `robots` and `behaviours`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from posestudio.db.database import utcnow


class RobotRow(SQLModel, table=True):
    __tablename__ = "robots"

    id: str = Field(primary_key=True, max_length=36)
    name: str = Field(max_length=64, unique=True)
    model: str = Field(max_length=8)
    method: str = Field(max_length=16)
    address: str | None = Field(default=None, max_length=255)
    serial: str | None = Field(default=None, max_length=64)
    # A secret: only `RobotConfig` (to the robot service) carries it.
    aes_key: str | None = Field(default=None, max_length=128)
    limits: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    created_at: datetime = Field(default_factory=utcnow)


class BehaviourRow(SQLModel, table=True):
    __tablename__ = "behaviours"

    id: str = Field(primary_key=True, max_length=32)
    name: str = Field(max_length=64, index=True)
    version: int = 1
    author: str = Field(max_length=64)
    description: str = Field(default="", max_length=2000)
    licence: str = Field(default="CC-BY-4.0", max_length=64)
    models: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    steps: list[dict[str, Any]] = Field(default_factory=list, sa_type=sa.JSON)
    created_at: datetime = Field(default_factory=utcnow)
