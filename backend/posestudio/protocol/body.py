"""Body-model messages on `/pose`: the T-pose calibration request and its verdict.

The pose's own body-model fields (`skeleton`, `hands`) are in `messages.py` with the pose.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from posestudio.protocol.messages import STREAM_ID_PATTERN, Message


class CalibrateRequest(Message):
    """`calibrate`: the person holds a T-pose; the server measures the next ~2 s of frames
    of a stream started with `kinematics` (acknowledged with `CalibrationAck` or `Refused`)."""

    stream_id: str = Field(pattern=STREAM_ID_PATTERN)


class CalibrationReason(Message):
    """Why a calibration was refused: a stable code and what the person should do."""

    code: Literal[
        "too_few_frames",
        "not_visible",
        "arms_not_level",
        "arms_bent",
        "arms_not_out",
        "not_standing",
    ]
    message: str


class CalibrationAck(Message):
    """The verdict on a calibration: accepted (the stream's skeleton now uses what was
    measured) or refused (with the reasons; nothing changes)."""

    ok: Literal[True]
    stream_id: str
    accepted: bool
    frames: int = Field(description="frames with a person collected")
    reasons: list[CalibrationReason] = Field(description="empty when accepted")
    measured: dict[str, float] = Field(
        description="the median angles checked (`arm_elevation_deg`, `elbow_bend_deg`, "
        "`arm_spread_deg`, `torso_tilt_deg`, `leg_tilt_deg`); when accepted also every bone "
        "length in metres (`torso`, `leftUpperArm`, …), `head_pitch_deg` and `scale`"
    )
