"""Record real video over /pose, stop, and read everything back through the API."""

from __future__ import annotations

import csv
import io

import orjson
import pyarrow.parquet as pq
import pytest

from posestudio.client import PoseClientError
from posestudio.protocol import LANDMARK_NAMES
from posestudio.protocol.recording import RecordingEvent
from tests.utils.frames import send_and_wait, video_jpegs
from tests.utils.principals import BOB_TOKEN
from tests.utils.sessions import Recorder, SessionsBackend

FRAMES = 24


async def _record(backend: SessionsBackend, *, video: bool) -> tuple[dict, list[dict], list[bytes]]:
    """Record FRAMES frames of the video on one smoothed stream; (session, poses, jpegs)."""
    recorder = await Recorder.connect(backend.url)
    try:
        await recorder.client.start("cam", smoothing=True)
        session = await recorder.record(name="squats", tags=["squat", "coach"], video=video)
        assert session["status"] == "recording"
        poses, jpegs = [], []
        for jpeg in video_jpegs(320, 240)[:FRAMES]:
            message = await send_and_wait(recorder.client, "cam", jpeg)
            poses.append(message.data)
            jpegs.append(jpeg)
        final = await recorder.stop_record(session["id"])
        ended = await recorder.final(session["id"])
    finally:
        await recorder.close()
    assert final["status"] == "complete" and final["stop_reason"] == "stopped"
    assert ended["status"] == "complete" and ended["frames"] == FRAMES
    for event in recorder.recordings:  # what the server sends is what the schema says
        RecordingEvent.model_validate(event)
    return final, poses, jpegs


async def test_record_stop_replay_poses_and_frames(backend: SessionsBackend) -> None:
    session, poses, jpegs = await _record(backend, video=True)
    (stream,) = session["streams"]
    assert stream["frames"] == FRAMES and stream["smoothing"] is True
    assert stream["image"] == {"width": 320, "height": 240}
    assert session["owner"] == "user:alice" and session["tags"] == ["squat", "coach"]

    base = f"/api/sessions/{session['id']}/streams/{stream['key']}"
    response = backend.get(f"{base}/poses")
    assert response.headers["content-type"].startswith("application/x-ndjson")
    lines = [orjson.loads(line) for line in response.text.splitlines()]
    assert [line["pose"] for line in lines] == poses  # exactly what was sent
    assert [line["index"] for line in lines] == list(range(FRAMES))
    assert all(line["raw"] is not None for line in lines)  # smoothing on: raw kept too
    times = [line["ts"] for line in lines]
    assert times == sorted(times)

    middle = times[FRAMES // 2]
    ranged = backend.get(f"{base}/poses", params={"from": middle, "to": times[-2]})
    assert [orjson.loads(x)["ts"] for x in ranged.text.splitlines()] == times[FRAMES // 2 : -1]

    for index in (0, 7, FRAMES - 1):
        image = backend.get(f"{base}/frames/{index}")
        assert image.status_code == 200 and image.content == jpegs[index]
        assert "immutable" in image.headers["cache-control"]
        again = backend.get(
            f"{base}/frames/{index}", headers={"If-None-Match": image.headers["etag"]}
        )
        assert again.status_code == 304
    near = backend.get(f"{base}/frame", params={"ts": times[5] + 0.0001})
    assert near.content == jpegs[5] and near.headers["x-frame-index"] == "5"
    assert backend.get(f"{base}/frames/{FRAMES}").status_code == 404


async def test_exports_read_back_with_other_readers(backend: SessionsBackend) -> None:
    session, poses, _ = await _record(backend, video=False)
    sid = session["id"]
    jsonl = backend.get(f"/api/sessions/{sid}/export.jsonl")
    assert jsonl.headers["x-session-status"] == "complete"
    assert [orjson.loads(x) for x in jsonl.text.splitlines()] == poses

    table = list(csv.reader(io.StringIO(backend.get(f"/api/sessions/{sid}/export.csv").text)))
    header, rows = table[0], table[1:]
    assert header[:3] == ["ts", "stream", "person"]
    assert header[3:7] == [f"{LANDMARK_NAMES[0]}_{a}" for a in ("x", "y", "z", "visibility")]
    assert header[3 + 33 * 4] == f"world_{LANDMARK_NAMES[0]}_x"
    assert len(header) == 3 + 2 * 33 * 4
    expected = [(p, person) for p in poses for person in p["persons"]]
    assert len(rows) == len(expected) > 0
    for row, (_, person) in zip(rows, expected, strict=True):
        assert row[1] == "cam"
        nose = [float(v) for v in row[3:7]]
        assert nose == pytest.approx(person["landmarks"][0][:4], abs=1e-6)
        world_last = [float(v) for v in row[-4:]]
        assert world_last == pytest.approx(person["world"][32][:4], abs=1e-6)

    parquet = backend.get(f"/api/sessions/{sid}/export.parquet")
    frame = pq.read_table(io.BytesIO(parquet.content))
    assert frame.num_rows == len(expected)
    assert frame.column_names == header
    nose_x = frame.column(f"{LANDMARK_NAMES[0]}_x").to_pylist()
    assert nose_x == pytest.approx([person["landmarks"][0][0] for _, person in expected], abs=1e-5)


async def test_list_filter_rename_annotate_delete(backend: SessionsBackend) -> None:
    session, _, _ = await _record(backend, video=True)
    sid = session["id"]
    listed = backend.get("/api/sessions", params={"tag": "coach"}).json()
    assert sid in [s["id"] for s in listed["sessions"]]
    assert backend.get("/api/sessions", params={"tag": "nope"}).json()["total"] == 0
    newest = backend.get("/api/sessions").json()["sessions"]
    assert [s["started_at"] for s in newest] == sorted(
        (s["started_at"] for s in newest), reverse=True
    )

    renamed = backend.request(
        "PATCH", f"/api/sessions/{sid}", json={"name": "best", "tags": ["a_b"]}
    )
    assert renamed.json()["name"] == "best" and renamed.json()["tags"] == ["a_b"]
    assert backend.get("/api/sessions", params={"tag": "a_b"}).json()["total"] >= 1

    made = backend.request(
        "POST",
        f"/api/sessions/{sid}/annotations",
        json={"ts": 0.5, "end_ts": 0.9, "label": "rep 1"},
    )
    assert made.status_code == 201, made.text
    aid = made.json()["id"]
    bad = backend.request(
        "POST", f"/api/sessions/{sid}/annotations", json={"ts": 2, "end_ts": 1, "label": "x"}
    )
    assert bad.status_code == 422 or bad.status_code == 400
    changed = backend.request(
        "PATCH", f"/api/sessions/{sid}/annotations/{aid}", json={"note": "deep"}
    )
    assert changed.json()["note"] == "deep"
    listed_notes = backend.get(f"/api/sessions/{sid}/annotations").json()["annotations"]
    assert [(a["label"], a["note"]) for a in listed_notes] == [("rep 1", "deep")]
    assert backend.session(sid)["annotations"] == 1
    assert backend.request("DELETE", f"/api/sessions/{sid}/annotations/{aid}").status_code == 204

    assert backend.storage.list(f"sessions/{sid}/")
    assert backend.request("DELETE", f"/api/sessions/{sid}").status_code == 204
    assert backend.storage.list(f"sessions/{sid}/") == []
    assert backend.get(f"/api/sessions/{sid}").status_code == 404


async def test_another_persons_session_is_not_found_like_an_unknown_one(
    backend: SessionsBackend,
) -> None:
    session, _, _ = await _record(backend, video=True)
    sid, key = session["id"], session["streams"][0]["key"]
    unknown = backend.get("/api/sessions/se_unknown00000", BOB_TOKEN)
    for path in (
        f"/api/sessions/{sid}",
        f"/api/sessions/{sid}/streams/{key}/poses",
        f"/api/sessions/{sid}/streams/{key}/frames/0",
        f"/api/sessions/{sid}/annotations",
        f"/api/sessions/{sid}/export.csv",
    ):
        theirs = backend.get(path, BOB_TOKEN)
        assert theirs.status_code == 404, path
        assert theirs.json()["error"]["code"] == unknown.json()["error"]["code"] == "NOT_FOUND"
    assert backend.request("DELETE", f"/api/sessions/{sid}", BOB_TOKEN).status_code == 404
    assert sid not in [s["id"] for s in backend.get("/api/sessions", BOB_TOKEN).json()["sessions"]]
    assert backend.get(f"/api/sessions/{sid}").status_code == 200


async def test_bad_ranges_and_streams(backend: SessionsBackend) -> None:
    session, _, _ = await _record(backend, video=False)
    sid, key = session["id"], session["streams"][0]["key"]
    backwards = backend.get(f"/api/sessions/{sid}/streams/{key}/poses", params={"from": 5, "to": 1})
    assert backwards.status_code == 400 and backwards.json()["error"]["code"] == "BAD_REQUEST"
    assert (
        backend.get(f"/api/sessions/{sid}/export.csv", params={"from": 3, "to": 2}).status_code
        == 400
    )
    assert backend.get(f"/api/sessions/{sid}/streams/st_nosuchstream/poses").status_code == 404
    no_video = backend.get(f"/api/sessions/{sid}/streams/{key}/frames/0")
    assert no_video.status_code == 404


async def test_record_refusals(backend: SessionsBackend) -> None:
    recorder = await Recorder.connect(backend.url)
    try:
        with pytest.raises(PoseClientError) as nothing:
            await recorder.record()
        assert nothing.value.code == "UNKNOWN_STREAM"
        await recorder.client.start("cam")
        with pytest.raises(PoseClientError) as bad:
            await recorder.record(stream_id="cam", surprise=1)
        assert bad.value.code == "BAD_REQUEST"
        session = await recorder.record(stream_id="cam")
        with pytest.raises(PoseClientError) as twice:
            await recorder.record(stream_id="cam")
        assert twice.value.code == "CONFLICT"
        await recorder.stop_record(session["id"])
        with pytest.raises(PoseClientError) as again:
            await recorder.stop_record(session["id"])
        assert again.value.code == "CONFLICT"
    finally:
        await recorder.close()
    bob = await Recorder.connect(backend.url, BOB_TOKEN)
    try:
        with pytest.raises(PoseClientError) as theirs:
            await bob.stop_record(session["id"])
        assert theirs.value.code == "NOT_FOUND"
    finally:
        await bob.close()
