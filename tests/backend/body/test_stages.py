"""The body stages are built only for streams that ask, and count what they do."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np

from posestudio.body.stages import StreamKinematics, body_stages
from posestudio.body.stats import BONE_GROUPS, GROUP_OF_BONE, BodyStats
from posestudio.hands.stage import HandsStage
from posestudio.kinematics.skeleton import BONE, BONES
from posestudio.protocol import Person, StartRequest
from posestudio.settings import Settings
from posestudio_core.auth import Principal
from tests.utils.bodies import body_measures, identity_pose, landmarks, rot


def stream(**options: Any) -> Any:
    # The factories read only the stream's start options.
    owner = Principal(subject="user:1", role="operator")
    return SimpleNamespace(options=StartRequest(stream_id="s", **options), owner=owner)


def result(world: np.ndarray, seq: int) -> Any:
    meta = SimpleNamespace(seq=seq, capture_ts=seq * 1000.0 / 30)
    return SimpleNamespace(meta=meta, persons=[Person(0.9, world.copy(), world)], extras={})


def test_streams_that_do_not_ask_get_no_stage() -> None:
    factories = body_stages(Settings(environment="test"), BodyStats())
    assert [f(stream()) for f in factories] == [None, None]
    hands, kinematics = (f(stream(kinematics=True, hands=True)) for f in factories)
    assert isinstance(hands, HandsStage) and isinstance(kinematics, StreamKinematics)
    assert [type(f(stream(kinematics=True))) for f in factories] == [type(None), StreamKinematics]


def test_every_bone_has_one_group() -> None:
    assert len(GROUP_OF_BONE) == len(BONES)
    assert sorted(b for group in BONE_GROUPS.values() for b in group) == sorted(BONES)


def test_clamps_are_counted_by_bone_group() -> None:
    stats = BodyStats()
    stage = StreamKinematics(stats)
    # Elbows bent backwards by 60 degrees: the hinge clamps both lower arms.
    pose = identity_pose()
    for side, s in (("left", 1.0), ("right", -1.0)):
        pose[BONE[f"{side}LowerArm"]] = rot((0.0, s, 0.0), 60.0)
    world = landmarks(pose, body_measures())
    for seq in range(10):
        stage(result(world, seq))
    clamps, _, _ = stats.snapshot()
    assert clamps["arms"] > 0
    assert clamps["arms"] == int(stage.tracker.clamps[[BONE[b] for b in BONE_GROUPS["arms"]]].sum())
    assert sum(clamps.values()) == int(stage.tracker.clamps.sum())
