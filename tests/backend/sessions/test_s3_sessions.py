"""The same recording on the s3 backend, against moto's S3-compatible server on loopback:
replay, export, and deleting the session leaves no object behind."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest

from tests.utils.frames import send_and_wait, video_jpegs
from tests.utils.sessions import (
    Recorder,
    SessionsBackend,
    database_url,
    moto_s3,
    s3_client,
    s3_storage,
    sessions_backend,
)


@pytest.fixture(params=("sqlite", "postgresql"))
def s3_backend(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[SessionsBackend, str]]:
    with (
        moto_s3() as endpoint,
        database_url(request.param, tmp_path) as url,
        sessions_backend(url, tmp_path, storage=s3_storage(endpoint)) as backend,
    ):
        yield backend, endpoint


async def test_record_replay_export_delete_on_s3(s3_backend: tuple[SessionsBackend, str]) -> None:
    backend, endpoint = s3_backend
    recorder = await Recorder.connect(backend.url)
    jpegs = video_jpegs(320, 240)[:12]
    try:
        await recorder.client.start("cam")
        session = await recorder.record(video=True)
        poses = [(await send_and_wait(recorder.client, "cam", j)).data for j in jpegs]
        final = await recorder.stop_record(session["id"])
    finally:
        await recorder.close()
    sid, key = final["id"], final["streams"][0]["key"]
    bucket = backend.storage.bucket  # type: ignore[attr-defined]
    listed = s3_client(endpoint).list_objects_v2(Bucket=bucket, Prefix=f"sessions/{sid}/")
    names = [o["Key"] for o in listed["Contents"]]
    assert any(n.endswith(".parquet") for n in names) and any(n.endswith(".bin") for n in names)

    lines = backend.get(f"/api/sessions/{sid}/streams/{key}/poses").text.splitlines()
    assert [orjson.loads(x)["pose"] for x in lines] == poses
    assert backend.get(f"/api/sessions/{sid}/streams/{key}/frames/3").content == jpegs[3]
    rows = list(csv.reader(io.StringIO(backend.get(f"/api/sessions/{sid}/export.csv").text)))
    assert len(rows) - 1 == sum(len(p["persons"]) for p in poses)

    assert backend.request("DELETE", f"/api/sessions/{sid}").status_code == 204
    left = s3_client(endpoint).list_objects_v2(Bucket=bucket, Prefix=f"sessions/{sid}/")
    assert left["KeyCount"] == 0
    assert backend.get(f"/api/sessions/{sid}").status_code == 404
