"""Deleting a session while its clips and exports are being made: nothing crashes, and
no object or temporary file of theirs is left behind."""

from __future__ import annotations

from tests.backend.clips.conftest import Recorded
from tests.utils.server import wait_for
from tests.utils.sessions import record_video


async def test_deleting_a_session_during_its_jobs_leaves_nothing(recorded: Recorded) -> None:
    backend = recorded.backend
    session, _ = await record_video(backend.url, 12, video=True)
    sid, stream = session["id"], session["streams"][0]
    clip = {"session_id": sid, "stream": stream["key"], "from": 0.0, "to": stream["last_ts"]}
    jobs = []
    for _ in range(3):
        jobs.append(backend.request("POST", "/api/clips", json=clip).json()["id"])
        export = {"format": "parquet"}
        jobs.append(
            backend.request("POST", f"/api/sessions/{sid}/exports", json=export).json()["id"]
        )
    assert backend.request("DELETE", f"/api/sessions/{sid}").status_code == 204

    queue = backend.sessions.clips.jobs
    ids = ["jb_" + job_id[3:] for job_id in jobs]
    wait_for(lambda: all(queue.status(i).finished for i in ids), 60, "every job to end")  # type: ignore[union-attr]
    assert backend.storage.list(f"sessions/{sid}/") == []
    assert list((backend.settings.data_dir / "tmp").iterdir()) == []
    for job_id in jobs:
        kind = "clips" if job_id.startswith("cl_") else "exports"
        assert backend.get(f"/api/{kind}/{job_id}").status_code == 404
    assert backend.get("/health").status_code == 200
