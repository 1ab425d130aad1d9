"""Session analytics through the real server: a synthetic session whose figures are
known, and the real video recorded over /pose (its figures agree with the live analysis)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from posestudio.protocol.analytics import SessionAnalytics, SessionEvents
from posestudio.sessions.synthetic import STREAM_KEY, Squats, write_session
from tests.utils.frames import send_and_wait, video_jpegs
from tests.utils.principals import BOB_TOKEN
from tests.utils.sessions import Recorder, SessionsBackend

REPS = [(2.0, 2.4), (5.0, 2.4), (8.0, 2.0), (11.0, 2.8), (22.0, 2.4), (25.5, 2.0)]
SPEC = Squats(duration_s=30.0, reps=REPS, away=[(15.0, 18.5)], hips_at=(0.3, 0.55))


@pytest.fixture(scope="module")
def squats(backend: SessionsBackend) -> str:
    """One synthetic session per backend (the last test here deletes it)."""
    return write_session(backend.sessions.database, backend.storage, SPEC, owner="user:alice")


def analytics(backend: SessionsBackend, sid: str, **params: Any) -> dict[str, Any]:
    response = backend.get(f"/api/sessions/{sid}/analytics", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    SessionAnalytics.model_validate(body)  # what the server sends is what the schema says
    return body


def test_a_synthetic_session_has_the_figures_it_was_built_with(
    backend: SessionsBackend, squats: str
) -> None:
    sid = squats
    body = analytics(backend, sid)
    assert body["stream"] == STREAM_KEY and body["frames"] == 900
    assert body["from_ts"] == 0.0 and body["to_ts"] == pytest.approx(29.967, abs=0.01)

    reps = body["repetitions"]
    assert len(reps) == len(REPS)
    assert {r["joint"] for r in reps} <= {"left_knee", "right_knee"}
    for (start, length), rep in zip(REPS, reps, strict=True):
        assert rep["bottom_ts"] == pytest.approx(start + length / 2, abs=0.2)
        assert start - 0.3 <= rep["ts"] < rep["bottom_ts"] < rep["end_ts"] <= start + length + 0.3
        assert rep["bottom_deg"] == pytest.approx(SPEC.bottom_deg, abs=4)
        assert rep["depth_deg"] == pytest.approx(175 - SPEC.bottom_deg, abs=8)

    in_view = body["in_view"]
    assert in_view["spans_out"] == [{"ts": 15.0, "end_ts": 18.5}]
    assert in_view["seconds"] == pytest.approx(30.0 - 3.5, abs=0.05)
    assert in_view["fraction"] == pytest.approx(26.5 / 30.0, abs=0.01)

    knee = body["range_of_motion"]["left_knee"]
    assert knee["min_deg"] == pytest.approx(SPEC.bottom_deg, abs=4)
    assert knee["max_deg"] == pytest.approx(175, abs=4)
    assert knee["p5_deg"] > knee["min_deg"] and knee["p95_deg"] < knee["max_deg"]
    assert knee["range_deg"] == pytest.approx(knee["max_deg"] - knee["min_deg"], abs=0.11)
    assert body["range_of_motion"]["left_elbow"]["range_deg"] < 1  # the arms hang still

    intensity = body["intensity"]
    assert intensity["interval_s"] == 1.0 and len(intensity["values"]) == 30
    values = intensity["values"]
    assert values[16] == 0.0  # nobody in view
    assert values[3] > 3 * values[19]  # in a squat vs standing still

    heat = body["heatmap"]
    grid = np.array(heat["values"]).reshape(heat["rows"], heat["cols"])
    assert (heat["cols"], heat["rows"]) == (16, 12)
    assert grid.sum() == pytest.approx(1.0, abs=0.01)
    row, col = np.unravel_index(grid.argmax(), grid.shape)
    assert col == int(0.3 * 16) and row == int(0.55 * 12)  # standing, hips where they were

    kinds = [(e["kind"], e["ts"]) for e in body["events"]]
    assert kinds == sorted(
        [("repetition", r["ts"]) for r in reps] + [("out_of_view", 15.0)], key=lambda k: k[1]
    )


def test_a_range_events_annotations_and_the_cache(backend: SessionsBackend, squats: str) -> None:
    sid = squats
    part = analytics(backend, sid, **{"from": 4.5, "to": 12.0, "stream": STREAM_KEY})
    assert part["from_ts"] == 4.5 and part["to_ts"] == pytest.approx(12.0, abs=0.04)
    assert [round(r["bottom_ts"]) for r in part["repetitions"]] == [6, 9]  # 11.0's ends later

    made = backend.request(
        "POST", f"/api/sessions/{sid}/annotations", json={"ts": 8.1, "label": "deepest"}
    )
    assert made.status_code == 201
    cache = backend.sessions.analytics
    whole = analytics(backend, sid)
    hits, misses = cache.hits, cache.misses
    again = analytics(backend, sid)
    assert (cache.hits, cache.misses) == (hits + 1, misses)  # the second came from the cache
    assert whole == again
    notes = [e for e in whole["events"] if e["kind"] == "annotation"]
    assert [(n["label"], n["ts"], n["details"]["note"]) for n in notes] == [("deepest", 8.1, None)]

    events = backend.get(f"/api/sessions/{sid}/events").json()
    SessionEvents.model_validate(events)
    assert events["events"] == whole["events"]
    assert [e["ts"] for e in events["events"]] == sorted(e["ts"] for e in events["events"])
    assert sum(e["kind"] == "repetition" for e in events["events"]) == len(REPS)


def test_refusals_are_404_for_others_and_400_for_backwards_ranges(
    backend: SessionsBackend, squats: str
) -> None:
    sid = squats
    for path in (f"/api/sessions/{sid}/analytics", f"/api/sessions/{sid}/events"):
        theirs = backend.get(path, BOB_TOKEN)
        unknown = backend.get(path.replace(sid, "se_unknown00000"))
        assert theirs.status_code == unknown.status_code == 404
        assert theirs.json()["error"]["code"] == unknown.json()["error"]["code"] == "NOT_FOUND"
    backwards = backend.get(f"/api/sessions/{sid}/analytics", params={"from": 9, "to": 3})
    assert backwards.status_code == 400 and backwards.json()["error"]["code"] == "BAD_REQUEST"
    no_stream = backend.get(f"/api/sessions/{sid}/analytics", params={"stream": "st_nope"})
    assert no_stream.status_code == 404
    assert backend.request("DELETE", f"/api/sessions/{sid}").status_code == 204
    assert backend.get(f"/api/sessions/{sid}/analytics").status_code == 404


async def test_the_real_video_agrees_with_the_live_analysis(backend: SessionsBackend) -> None:
    recorder = await Recorder.connect(backend.url)
    try:
        await recorder.client.start("cam")
        session = await recorder.record()
        for jpeg in video_jpegs(352, 288)[:60]:
            await send_and_wait(recorder.client, "cam", jpeg)
        key = session["streams"][0]["key"]
        live = backend.get(f"/api/streams/{key}/stats", params={"window": 600}).json()
        await recorder.stop_record(session["id"])
    finally:
        await recorder.close()
    body = analytics(backend, session["id"])
    assert body["frames"] == live["samples"] == 60
    assert body["in_view"]["fraction"] == live["in_view_fraction"] == 1.0
    assert body["in_view"]["spans_out"] == []
    assert body["repetitions"] == []  # a person talking, seated: nothing repeats
    for joint, stats in live["angles"].items():
        mine = body["range_of_motion"][joint]
        assert mine["min_deg"] == pytest.approx(stats["min"], abs=0.15), joint
        assert mine["max_deg"] == pytest.approx(stats["max"], abs=0.15), joint
    assert sum(body["heatmap"]["values"]) == pytest.approx(1.0, abs=0.01)
    assert len(body["intensity"]["values"]) == int(body["to_ts"] - body["from_ts"]) + 1
