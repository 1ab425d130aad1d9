"""`calibrate {stream_id}` on `/pose`: measure a T-pose over the next frames of a stream.

The handler waits (on the event loop, without blocking it) for the stream's kinematics
stage to collect `calibration_seconds` of frames in the worker thread; the verdict comes
back through `call_soon_threadsafe`. An accepted calibration is kept by that stream's
stage and, for a person (a signed-in user, with the accounts' database), saved as
theirs: their later streams start with it.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from posestudio.body.stages import kinematics_of
from posestudio.body.stats import BodyStats
from posestudio.errors import BadRequest, Conflict
from posestudio.kinematics.calibration import CalibrationResult
from posestudio.pipeline.access import resource
from posestudio_core.auth import Principal
from posestudio_core.permissions import Action, authorize

if TYPE_CHECKING:
    from posestudio.pipeline.stream import Stream


def grace_seconds(calibration_s: float) -> float:
    """How long the server waits for the frames before refusing with `too_few_frames`."""
    return 2 * calibration_s + 5.0


async def calibrate_stream(
    principal: Principal, stream: Stream, stats: BodyStats
) -> dict[str, Any]:
    """The `CalibrationAck` of one calibration (or a domain error, before it starts)."""
    # Calibrating changes how the stream is solved: whoever may start it may calibrate it.
    authorize(principal, Action.STREAM_START, resource(stream))
    stage = kinematics_of(stream)
    if stage is None:
        raise BadRequest(
            "calibrate needs a stream started with kinematics: true",
            details={"stream_id": stream.name},
        )
    if stage.calibrating:
        raise Conflict(
            "a calibration of this stream is in progress", details={"stream_id": stream.name}
        )
    loop = asyncio.get_running_loop()
    verdict: asyncio.Future[CalibrationResult] = loop.create_future()

    def settle(result: CalibrationResult) -> None:
        if not verdict.done():
            verdict.set_result(result)

    def deliver(result: CalibrationResult) -> None:  # in the worker thread
        loop.call_soon_threadsafe(settle, result)

    stage.start_calibration(deliver)
    try:
        result = await asyncio.wait_for(verdict, grace_seconds(stage.calibration_s))
    except TimeoutError:
        frames = stage.cancel_calibration()
        result = CalibrationResult(False, frames, ("too_few_frames",))
    stats.add_calibration(result.accepted)
    if result.accepted and stage.store is not None:
        # The person's from now on (their next streams start calibrated).
        await asyncio.to_thread(stage.store.save, stream.owner.subject, result)
    return {"ok": True, "stream_id": stream.name, **result.to_wire()}
