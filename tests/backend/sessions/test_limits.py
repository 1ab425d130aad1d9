"""Limits from the settings stop recording cleanly, with a clear error; a failing
storage stops recording but never the live stream."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import boto3
import pytest

from posestudio.client import PoseClientError
from tests.utils.frames import send_and_wait, video_jpegs
from tests.utils.sessions import (
    S3_KEY,
    S3_SECRET,
    Recorder,
    free_port,
    moto_s3,
    s3_storage,
    sessions_backend,
)


def _sqlite(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'posestudio.db'}"


async def _stream_until_ended(recorder: Recorder, session_id: str) -> dict[str, Any]:
    """Send frames (each answered) until the session's closing `recording` event."""
    jpegs = video_jpegs(320, 240)
    for n in range(3000):
        await send_and_wait(recorder.client, "cam", jpegs[n % len(jpegs)])
        ended = [
            e
            for e in recorder.recordings
            if e["session_id"] == session_id and e["status"] != "recording"
        ]
        if ended:
            return ended[0]
    raise AssertionError("the recording never ended")


async def test_too_many_streams_for_one_session(tmp_path: Path) -> None:
    with sessions_backend(_sqlite(tmp_path), tmp_path, max_streams_per_session=1) as backend:
        recorder = await Recorder.connect(backend.url)
        try:
            await recorder.client.start("cam")
            await recorder.client.start("cam2")
            with pytest.raises(PoseClientError) as refused:
                await recorder.record()
            assert refused.value.code == "SESSION_LIMIT"
            assert refused.value.error["details"]["limit"] == "max_streams_per_session"
            assert backend.get("/api/sessions").json()["total"] == 0
            one = await recorder.record(stream_id="cam2")
            assert [s["name"] for s in one["streams"]] == ["cam2"]
        finally:
            await recorder.close()


async def test_max_session_length_stops_cleanly(tmp_path: Path) -> None:
    with sessions_backend(_sqlite(tmp_path), tmp_path, max_session_seconds=1.5) as backend:
        recorder = await Recorder.connect(backend.url)
        try:
            await recorder.client.start("cam")
            session = await recorder.record()
            ended = await _stream_until_ended(recorder, session["id"])
            # The live stream goes on after the recording stopped.
            await send_and_wait(recorder.client, "cam", video_jpegs(320, 240)[0])
        finally:
            await recorder.close()
        assert ended["status"] == "complete" and ended["stop_reason"] == "max_session_seconds"
        assert ended["error"]["code"] == "SESSION_LIMIT"
        stored = backend.session(session["id"])
        assert stored["status"] == "complete" and stored["streams"][0]["frames"] == ended["frames"]
        key = stored["streams"][0]["key"]
        lines = backend.get(f"/api/sessions/{session['id']}/streams/{key}/poses").text.splitlines()
        assert len(lines) == ended["frames"] > 0


async def test_quota_stops_recording_and_refuses_the_next(tmp_path: Path) -> None:
    with sessions_backend(_sqlite(tmp_path), tmp_path, session_quota_bytes=40_000) as backend:
        recorder = await Recorder.connect(backend.url)
        try:
            await recorder.client.start("cam")
            session = await recorder.record(video=True)
            ended = await _stream_until_ended(recorder, session["id"])
            with pytest.raises(PoseClientError) as refused:
                await recorder.record()
        finally:
            await recorder.close()
        assert ended["stop_reason"] == "quota" and ended["error"]["code"] == "QUOTA_EXCEEDED"
        assert refused.value.code == "QUOTA_EXCEEDED"
        stored = backend.session(session["id"])
        assert stored["status"] == "complete" and stored["bytes"] >= 40_000


async def test_storage_down_mid_recording_keeps_what_was_written(tmp_path: Path) -> None:
    with moto_s3() as endpoint:
        storage = s3_storage(endpoint)
        with sessions_backend(_sqlite(tmp_path), tmp_path, storage=storage) as backend:
            recorder = await Recorder.connect(backend.url)
            try:
                await recorder.client.start("cam")
                session = await recorder.record(video=True)
                jpegs = video_jpegs(320, 240)
                n = 0
                while not any(e["frames"] > 0 for e in recorder.recordings):
                    await send_and_wait(recorder.client, "cam", jpegs[n % len(jpegs)])
                    n += 1
                written = storage.list(f"sessions/{session['id']}/")
                published = backend.session(session["id"])["streams"][0]["frames"]
                # The storage goes away: its endpoint is now a port where nothing listens.
                storage.client.close()
                storage.client = _unreachable()
                ended = await _stream_until_ended(recorder, session["id"])
                # The live stream goes on.
                await send_and_wait(recorder.client, "cam", jpegs[0])
            finally:
                await recorder.close()
            stored = backend.session(session["id"])
    assert written
    assert ended["status"] == "interrupted" and ended["error"]["code"] == "STORAGE_FAILED"
    assert stored["status"] == "interrupted" and stored["stop_reason"].startswith("storage_failed")
    assert stored["streams"][0]["frames"] >= published > 0


def _unreachable() -> Any:
    """A client of the same bucket at a port where no server listens: storage down."""
    return boto3.client(
        "s3",
        endpoint_url=f"http://127.0.0.1:{free_port()}",
        region_name="us-east-1",
        aws_access_key_id=S3_KEY,
        aws_secret_access_key=S3_SECRET,
    )
