"""`GET …/poses?skeleton=true` on a stream recorded without `kinematics`: every pose with a
person gets a skeleton solved from the whole take (one scale over the stream, the same
values whatever window is asked for), from the real person video."""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from posestudio.kinematics.wire import BONE_NAMES
from tests.utils.frames import send_and_wait, video_jpegs
from tests.utils.sessions import Recorder, SessionsBackend


def _lines(backend: SessionsBackend, path: str) -> list[dict[str, Any]]:
    response = backend.get(path)
    assert response.status_code == 200, response.text
    return [json.loads(line) for line in response.text.splitlines() if line]


async def test_poses_of_a_stream_recorded_without_kinematics_get_a_solved_skeleton(
    backend: SessionsBackend,
) -> None:
    recorder = await Recorder.connect(backend.url)
    try:
        await recorder.client.start("cam")
        session = await recorder.record()
        for jpeg in video_jpegs(352, 288)[:40]:
            await send_and_wait(recorder.client, "cam", jpeg)
        stopped = await recorder.stop_record(session["id"])
    finally:
        await recorder.close()
    key = stopped["streams"][0]["key"]
    base = f"/api/sessions/{session['id']}/streams/{key}/poses"

    plain = _lines(backend, base)
    assert len(plain) == 40 and not any("skeleton" in f["pose"] for f in plain)
    whole = _lines(backend, f"{base}?skeleton=true")
    assert [f["index"] for f in whole] == [f["index"] for f in plain]
    with_person = [f for f in whole if f["pose"]["persons"]]
    assert len(with_person) >= 35
    for frame in whole:
        # Only the skeleton is added; the recorded pose is otherwise as it was.
        pose = dict(frame["pose"])
        skeleton = pose.pop("skeleton", None)
        assert pose == next(p["pose"] for p in plain if p["index"] == frame["index"])
        assert (skeleton is not None) == bool(pose["persons"])
    skeletons = [f["pose"]["skeleton"] for f in with_person]
    rotations = np.array([s["rotations"] for s in skeletons])
    assert rotations.shape == (len(with_person), len(BONE_NAMES), 4)
    assert np.allclose(np.linalg.norm(rotations, axis=2), 1.0, atol=1e-4)
    assert len({s["scale"] for s in skeletons}) == 1 and not skeletons[0]["calibrated"]
    assert 0.5 < skeletons[0]["scale"] < 1.5
    # The person moves (a little: they sit and talk): not one frame's rotations repeated.
    assert np.ptp(rotations, axis=0).max() > 0.005

    # A window of the stream gets exactly the whole take's values for its frames (one
    # solve, not one per window), and the second ask came from the cache.
    mid = whole[len(whole) // 2]["ts"]
    cache = backend.sessions.skeletons
    hits = cache.hits
    later = _lines(backend, f"{base}?skeleton=true&from={mid}")
    assert later == [f for f in whole if f["ts"] >= mid]
    assert cache.hits == hits + 1
