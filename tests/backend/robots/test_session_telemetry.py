"""Robot telemetry kept with the session its controller records."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.utils.robots import OPERATOR, peer, robots_backend, service
from tests.utils.sessions import Recorder


def sample(robot_id: str, ts: float) -> dict[str, Any]:
    return {
        "robot_id": robot_id,
        "ts": ts,
        "battery": {"soc": 90.0 - ts, "voltage": 28.1, "current": -2.0},
        "mode": "walk",
    }


async def test_telemetry_of_a_controlled_robot_is_kept_with_the_controllers_recording(
    tmp_path: Path,
) -> None:
    with robots_backend(tmp_path, sessions=True) as backend:
        rex = backend.add_robot()["id"]
        async with service(backend.url) as svc, peer(backend.url, OPERATOR) as olga:
            await svc.hello()
            await svc.online(rex)
            recorder = await Recorder.connect(backend.url, OPERATOR)
            try:
                await recorder.client.start("cam")
                session = await recorder.record(video=False)
                # Nobody controls rex yet: its telemetry is nobody's to keep.
                await svc.peer.emit("robot_telemetry", sample(rex, 1.0))
                await olga.until("robot_telemetry", lambda t: t["ts"] == 1.0)
                assert (await olga.call("take_control", {"robot_id": rex}))["ok"]
                for ts in (2.0, 3.0, 4.0):
                    await svc.peer.emit("robot_telemetry", sample(rex, ts))
                await olga.until("robot_telemetry", lambda t: t["ts"] == 4.0)
                await recorder.stop_record(session["id"])
                await recorder.final(session["id"])
                # After the recording: not kept.
                await svc.peer.emit("robot_telemetry", sample(rex, 5.0))
                await olga.until("robot_telemetry", lambda t: t["ts"] == 5.0)
            finally:
                await recorder.close()
        with backend.http(OPERATOR) as http:
            response = http.get(f"/api/sessions/{session['id']}/robots/telemetry")
            assert response.status_code == 200, response.text
            assert response.headers["content-type"].startswith("application/x-ndjson")
            rows = [json.loads(line) for line in response.text.splitlines()]
            missing = http.get("/api/sessions/se_nosuchsession/robots/telemetry")
            assert missing.status_code == 404
    assert [row["telemetry"]["ts"] for row in rows] == [2.0, 3.0, 4.0]
    assert {row["robot_id"] for row in rows} == {rex}
    assert rows[0]["telemetry"]["battery"]["soc"] == 88.0
    session_ts = [row["ts"] for row in rows]
    assert session_ts == sorted(session_ts) and 0 <= session_ts[0] < 60
