"""A person's calibration kept across streams: saved when accepted, loaded at start.

Only people (`Principal.subject` "user:<id>") have one; the bootstrap token's streams
keep theirs per stream. Called off the event loop (a worker thread or `to_thread`).
"""

from __future__ import annotations

import numpy as np
from sqlmodel import select

from posestudio.body.models import BodyCalibration
from posestudio.db.database import Database, utcnow
from posestudio.kinematics.calibration import CalibrationResult

USER_PREFIX = "user:"


def user_id(subject: str) -> int | None:
    """The user id of a person's subject; None for anyone else."""
    if not subject.startswith(USER_PREFIX):
        return None
    rest = subject[len(USER_PREFIX) :]
    return int(rest) if rest.isdigit() else None


class CalibrationStore:
    def __init__(self, database: Database) -> None:
        self.database = database

    def save(self, subject: str, result: CalibrationResult) -> bool:
        """Keep an accepted calibration as the person's (replacing theirs); False when
        there is no person to keep it for or nothing to keep."""
        owner = user_id(subject)
        if owner is None or not result.accepted or result.measures is None:
            return False
        assert result.head_pitch is not None
        with self.database.session() as session:
            row = session.exec(
                select(BodyCalibration).where(BodyCalibration.owner_id == owner)
            ).first()
            if row is None:
                row = BodyCalibration(owner_id=owner, measures=[], head_pitch=0.0, measured={})
            row.measures = [float(v) for v in result.measures]
            row.head_pitch = float(result.head_pitch)
            row.measured = dict(result.measured)
            row.created_at = utcnow()
            session.add(row)
            session.commit()
        return True

    def load(self, subject: str) -> CalibrationResult | None:
        """The person's stored calibration, as an accepted result; None when none."""
        owner = user_id(subject)
        if owner is None:
            return None
        with self.database.session() as session:
            row = session.exec(
                select(BodyCalibration).where(BodyCalibration.owner_id == owner)
            ).first()
        if row is None:
            return None
        return CalibrationResult(
            accepted=True,
            frames=0,
            measured={k: float(v) for k, v in row.measured.items()},
            measures=np.asarray(row.measures, dtype=float),
            head_pitch=row.head_pitch,
        )
