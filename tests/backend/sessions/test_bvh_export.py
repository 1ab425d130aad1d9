"""BVH export of a recorded stream, read back by an independent reader (bvhio): its
forward kinematics reproduce the recorded world landmarks of the seen joints."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tests.backend.kinematics.test_bvh import SEEN, bvhio, rms_cm
from tests.utils.frames import send_and_wait, video_jpegs
from tests.utils.sessions import Recorder, SessionsBackend


async def test_bvh_of_the_real_video_reads_back_within_3_cm(
    backend: SessionsBackend, tmp_path: Path
) -> None:
    recorder = await Recorder.connect(backend.url)
    try:
        await recorder.client.start("cam")
        session = await recorder.record()
        poses = [
            (await send_and_wait(recorder.client, "cam", j)).data for j in video_jpegs(352, 288)
        ]
        await recorder.stop_record(session["id"])
    finally:
        await recorder.close()
    response = backend.get(f"/api/sessions/{session['id']}/export.bvh")
    assert response.status_code == 200, response.text
    path = tmp_path / "take.bvh"
    path.write_bytes(response.content)
    seen = [p for p in poses if p["persons"]]
    world = np.array([p["persons"][0]["world"] for p in seen], dtype=np.float64)
    container = bvhio().readAsBvh(str(path))
    assert container.FrameCount == len(seen) == len(poses)
    rms = rms_cm(path, world, SEEN)
    print(f"session BVH read back by bvhio: {rms:.2f} cm RMS over the seen joints")
    assert rms < 3.0
