"""Clips of a real recorded session: render with progress (HTTP and `clip` events), play
back with PyAV, seek with Range requests, share without an account, revoke, permissions."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from typing import Any

import av
import httpx
import numpy as np
import sqlalchemy as sa

from posestudio.clips.models import ClipRow
from posestudio.clips.render import NOMINAL_RATE
from tests.backend.clips.conftest import VIEWER_TOKEN, Recorded
from tests.utils.principals import BOB_TOKEN
from tests.utils.server import wait_for
from tests.utils.sessions import Recorder, SessionsBackend


def finished(backend: SessionsBackend, clip_id: str) -> dict[str, Any]:
    def done() -> dict[str, Any] | None:
        clip: dict[str, Any] = backend.get(f"/api/clips/{clip_id}").json()
        return clip if clip["status"] in ("complete", "failed") else None

    clip: dict[str, Any] = wait_for(done, 60, f"clip {clip_id}")
    return clip


def decode(data: bytes) -> tuple[list[np.ndarray], list[float], float, str]:
    """(RGB frames, their times, the duration in seconds, the codec) of an MP4, read
    back with PyAV."""
    with av.open(io.BytesIO(data)) as box:
        stream = box.streams.video[0]
        decoded = list(box.decode(stream))
        assert box.duration is not None
        frames = [f.to_ndarray(format="rgb24") for f in decoded]
        times = [float(f.time or 0.0) for f in decoded]
        return frames, times, box.duration / 1_000_000, stream.codec_context.name


def create(backend: SessionsBackend, token: str | None = None, **body: Any) -> httpx.Response:
    kwargs = {} if token is None else {"token": token}
    return backend.request("POST", "/api/clips", json=body, **kwargs)


async def test_a_clip_renders_with_progress_and_plays(recorded: Recorded) -> None:
    backend, times = recorded.backend, recorded.times
    start, end = times[4], times[20]
    listener = await Recorder.connect(backend.url)
    try:
        response = create(
            backend,
            session_id=recorded.session["id"],
            stream=recorded.key,
            to=end,
            overlay=True,
            **{"from": start},
        )
        assert response.status_code == 202, response.text
        clip = response.json()
        assert clip["status"] in ("queued", "processing") and clip["url"] is None
        events = await listener.clip_done(clip["id"])
    finally:
        await listener.close()
    clip = finished(backend, clip["id"])
    assert clip["status"] == "complete", clip
    assert clip["progress"] == 1.0 and clip["url"] == f"/api/clips/{clip['id']}/video"
    assert events[-1] == {"id": clip["id"], "status": "complete", "progress": 1.0}
    assert [e["progress"] for e in events] == sorted(e["progress"] for e in events)

    video = backend.get(clip["url"])
    assert video.status_code == 200 and video.headers["content-type"] == "video/mp4"
    assert video.headers["accept-ranges"] == "bytes"
    frames, frame_times, duration, codec = decode(video.content)
    expected = [t for t in times if start <= t <= end]
    assert codec == "h264" and len(frames) == len(expected) == clip["frames"] == 17
    assert frames[0].shape == (240, 320, 3)
    # Each frame at its recorded session time (millisecond time base), so the clip
    # lasts as long as the span did.
    shown = [t - frame_times[0] for t in frame_times]
    assert np.allclose(shown, [t - start for t in expected], atol=0.002), (shown, expected)
    # The span, give or take the last frame's showing: the muxer shows it for at most one
    # frame at the nominal rate, and may count it short by up to one recorded frame gap.
    step = (end - start) / (len(expected) - 1)
    assert end - start - step <= duration <= end - start + 1 / NOMINAL_RATE + 0.005, duration

    # The same span without the skeleton differs only where the skeleton is drawn.
    plain_id = create(
        backend,
        session_id=recorded.session["id"],
        stream=recorded.key,
        to=end,
        overlay=False,
        **{"from": start},
    ).json()["id"]
    plain = finished(backend, plain_id)
    plain_frames, _, _, _ = decode(backend.get(plain["url"]).content)
    assert len(plain_frames) == len(frames)
    changed = np.abs(frames[8].astype(int) - plain_frames[8].astype(int)).max(axis=2) > 60
    assert 0.001 < changed.mean() < 0.2

    # Browsers seek with Range requests.
    size = len(video.content)
    part = backend.get(clip["url"], headers={"Range": "bytes=100-199"})
    assert part.status_code == 206 and part.content == video.content[100:200]
    assert part.headers["content-range"] == f"bytes 100-199/{size}"
    tail = backend.get(clip["url"], headers={"Range": "bytes=-10"})
    assert tail.status_code == 206 and tail.content == video.content[-10:]
    beyond = backend.get(clip["url"], headers={"Range": f"bytes={size}-"})
    assert beyond.status_code == 416

    listed = backend.get(f"/api/sessions/{recorded.session['id']}/clips").json()["clips"]
    assert {c["id"] for c in listed} >= {clip["id"], plain_id}


def test_a_share_link_plays_without_an_account_until_revoked(recorded: Recorded) -> None:
    backend, times = recorded.backend, recorded.times
    clip_id = create(
        backend,
        session_id=recorded.session["id"],
        stream=recorded.key,
        to=times[10],
        **{"from": times[2]},
    ).json()["id"]
    clip = finished(backend, clip_id)
    link = backend.request("POST", f"/api/clips/{clip_id}/share").json()
    assert link["url"] == f"/share/{link['token']}" and len(link["token"]) >= 32
    assert backend.get(f"/api/clips/{clip_id}").json()["share_url"] == link["url"]

    page = httpx.get(backend.url + link["url"])  # no credentials at all
    assert page.status_code == 200 and "<video" in page.text
    assert f'src="/share/{link["token"]}/video"' in page.text
    assert "default-src 'none'" in page.headers["content-security-policy"]
    shared = httpx.get(f"{backend.url}{link['url']}/video")
    assert shared.status_code == 200
    assert shared.content == backend.get(clip["url"]).content
    ranged = httpx.get(f"{backend.url}{link['url']}/video", headers={"Range": "bytes=0-9"})
    assert ranged.status_code == 206 and ranged.content == shared.content[:10]

    assert backend.request("DELETE", f"/api/clips/{clip_id}/share").status_code == 204
    assert httpx.get(backend.url + link["url"]).status_code == 404
    assert httpx.get(f"{backend.url}{link['url']}/video").status_code == 404
    again = backend.request("POST", f"/api/clips/{clip_id}/share").json()
    assert again["token"] != link["token"]
    assert httpx.get(backend.url + link["url"]).status_code == 404
    assert httpx.get(backend.url + again["url"]).status_code == 200
    assert httpx.get(f"{backend.url}/share/{'x' * 32}").status_code == 404


def test_an_expired_share_link_is_refused(recorded: Recorded) -> None:
    backend, times = recorded.backend, recorded.times
    clip_id = create(
        backend,
        session_id=recorded.session["id"],
        stream=recorded.key,
        to=times[6],
        **{"from": times[2]},
    ).json()["id"]
    finished(backend, clip_id)
    assert (
        backend.request("POST", f"/api/clips/{clip_id}/share", json={"expires_s": 30}).status_code
        == 422
    )  # a minute at least
    link = backend.request("POST", f"/api/clips/{clip_id}/share", json={"expires_s": 60}).json()
    expires = datetime.fromisoformat(link["expires_at"]).replace(tzinfo=UTC)
    assert abs((expires - datetime.now(UTC)).total_seconds() - 60) < 10
    assert httpx.get(backend.url + link["url"]).status_code == 200

    # The minute passes: the stored expiry moves into the past, as the clock would.
    past = datetime.now(UTC) - timedelta(seconds=1)
    with backend.sessions.database.session() as session:
        session.execute(
            sa.update(ClipRow).where(ClipRow.id == clip_id).values(share_expires_at=past)  # type: ignore[arg-type]
        )
        session.commit()
    for path in (link["url"], f"{link['url']}/video"):
        refused = httpx.get(backend.url + path)
        assert refused.status_code == 404 and "error" in refused.json(), path
    # The owner still has it, and can share it again.
    assert backend.get(f"/api/clips/{clip_id}/video").status_code == 200
    again = backend.request("POST", f"/api/clips/{clip_id}/share").json()
    assert again["expires_at"] is None
    assert httpx.get(backend.url + again["url"]).status_code == 200


def test_permissions_and_bad_input(recorded: Recorded) -> None:
    backend, times, sid = recorded.backend, recorded.times, recorded.session["id"]
    body = {"session_id": sid, "stream": recorded.key, "from": times[1], "to": times[5]}
    refused = create(backend, VIEWER_TOKEN, **body)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "FORBIDDEN"
    assert create(backend, BOB_TOKEN, **body).status_code == 404  # Alice's session

    clip_id = create(backend, **body).json()["id"]
    for path in (f"/api/clips/{clip_id}", f"/api/clips/{clip_id}/video"):
        assert backend.get(path, BOB_TOKEN).json()["error"]["code"] == "NOT_FOUND"
        assert backend.get(path, BOB_TOKEN).status_code == 404
    assert backend.request("POST", f"/api/clips/{clip_id}/share", BOB_TOKEN).status_code == 404
    assert backend.get(f"/api/clips/cl_{'0' * 12}").status_code == 404
    assert backend.get(f"/api/sessions/{sid}/clips", BOB_TOKEN).status_code == 404

    for bad in ({"to": times[1]}, {"to": times[1] - 0.01}, {"to": times[1] + 61}):
        answer = create(backend, **{**body, **bad})
        assert answer.status_code == 400, bad
        assert answer.json()["error"]["code"] in ("BAD_REQUEST",)
    assert create(backend, **{**body, "stream": "st_nope"}).status_code == 404
    assert finished(backend, clip_id)["status"] == "complete"


async def test_a_pose_only_session_renders_the_skeleton(recorded: Recorded) -> None:
    from tests.utils.sessions import record_video

    backend = recorded.backend
    session, _ = await record_video(backend.url, 8, video=False)
    key = session["streams"][0]["key"]
    first, last = session["streams"][0]["first_ts"], session["streams"][0]["last_ts"]
    clip_id = create(
        backend, session_id=session["id"], stream=key, to=last, overlay=False, **{"from": first}
    ).json()["id"]
    clip = finished(backend, clip_id)
    assert clip["status"] == "complete" and clip["frames"] == 8
    frames, _, _, _ = decode(backend.get(clip["url"]).content)
    assert len(frames) == 8 and frames[0].shape == (240, 320, 3)
    # A dark canvas with the skeleton on it (the person is in view in this video).
    assert np.median(frames[4]) < 60 and frames[4].max() > 150
    assert backend.request("DELETE", f"/api/sessions/{session['id']}").status_code == 204
    assert backend.get(f"/api/clips/{clip_id}").status_code == 404
    assert backend.storage.list(f"sessions/{session['id']}/") == []
