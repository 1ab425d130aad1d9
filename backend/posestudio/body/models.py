"""A person's stored T-pose calibration: one row per user, the latest accepted one."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from posestudio.db.database import utcnow


class BodyCalibration(SQLModel, table=True):
    __tablename__ = "body_calibrations"

    id: int | None = Field(default=None, primary_key=True)
    owner_id: int = Field(foreign_key="users.id", ondelete="CASCADE", unique=True, index=True)
    measures: list[float] = Field(sa_type=sa.JSON)
    """The skeleton's measures (bone lengths and offsets, `kinematics.skeleton.MEASURES`)."""
    head_pitch: float
    """The head's rest pitch, radians."""
    measured: dict[str, Any] = Field(sa_type=sa.JSON)
    """What the acknowledgement said was measured."""
    created_at: datetime = Field(default_factory=utcnow)
