"""A person's calibration is kept (SQLite and PostgreSQL) and starts their next stream."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np

from posestudio.accounts.models import User
from posestudio.body.stages import StreamKinematics
from posestudio.body.stats import BodyStats
from posestudio.body.store import CalibrationStore, user_id
from posestudio.db.database import Database
from posestudio.kinematics import calibrate
from posestudio.protocol import Person
from tests.utils.bodies import t_pose


def a_person(database: Database) -> str:
    with database.session() as session:
        user = User(email="ada@example.org", display_name="Ada", role="operator", password_hash="x")
        session.add(user)
        session.commit()
        return f"user:{user.id}"


def result(world: np.ndarray) -> Any:
    meta = SimpleNamespace(seq=0, capture_ts=0.0)
    return SimpleNamespace(meta=meta, persons=[Person(0.9, world.copy(), world)], extras={})


def test_subjects() -> None:
    assert user_id("user:12") == 12
    assert user_id("token") is None and user_id("user:x") is None


def test_an_accepted_calibration_is_the_persons_next_time(database: Database) -> None:
    store = CalibrationStore(database)
    subject = a_person(database)
    frames = t_pose(np.random.default_rng(1), 40)
    accepted = calibrate(frames)
    assert accepted.accepted and accepted.measures is not None
    assert store.load(subject) is None
    assert not store.save(subject, calibrate(frames[:3]))  # refused: nothing kept
    assert not store.save("token", accepted)  # the bootstrap token is nobody
    assert store.save(subject, accepted) and store.save(subject, accepted)  # replaced
    loaded = store.load(subject)
    assert loaded is not None and loaded.accepted and loaded.measures is not None
    assert np.allclose(loaded.measures, accepted.measures)
    assert loaded.head_pitch == accepted.head_pitch

    stage = StreamKinematics(BodyStats(), store=store, subject=subject)
    skeleton = stage(result(frames[0])).extras["skeleton"]
    assert skeleton["calibrated"] is True
    assert np.allclose(stage.tracker.measures.values, accepted.measures)
    stranger = StreamKinematics(BodyStats(), store=store, subject="user:999")
    assert stranger(result(frames[0])).extras["skeleton"]["calibrated"] is False
