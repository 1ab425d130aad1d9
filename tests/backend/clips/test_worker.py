"""Jobs on RQ: the server enqueues on the real Redis, `posestudio worker --burst` (a real
process with the same settings) renders the clip and the export into S3 (moto's server),
the server pushes the progress it reads from Redis, and the export is fetched through a
pre-signed URL without credentials."""

from __future__ import annotations

import asyncio
import io
import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import av
import httpx
import pytest
import redis

from tests.utils.processes import clean_environ
from tests.utils.sessions import (
    S3_KEY,
    S3_SECRET,
    Recorder,
    SessionsBackend,
    moto_s3,
    record_video,
    s3_client,
    s3_storage,
    sessions_backend,
)

REDIS_URL = "redis://127.0.0.1:6379/12"


@pytest.fixture
def rq_backend(tmp_path: Path) -> Iterator[tuple[SessionsBackend, dict[str, str]]]:
    prefix = f"test-{secrets.token_hex(4)}:"
    database = f"sqlite:///{tmp_path / 'posestudio.db'}"
    with moto_s3() as endpoint:
        storage = s3_storage(endpoint)
        settings: dict[str, Any] = {
            "redis_url": REDIS_URL,
            "jobs_prefix": prefix,
            "jobs_queue": prefix + "jobs",
            "storage_backend": "s3",
            "s3_bucket": storage.bucket,
            "s3_endpoint_url": endpoint,
            "s3_access_key_id": S3_KEY,
            "s3_secret_access_key": S3_SECRET,
        }
        env = {f"POSE_STUDIO_{k.upper()}": str(v) for k, v in settings.items()}
        env |= {"POSE_STUDIO_DATABASE_URL": database, "POSE_STUDIO_DATA_DIR": str(tmp_path)}
        with sessions_backend(database, tmp_path, storage=storage, **settings) as backend:
            yield backend, env
        connection = redis.Redis.from_url(REDIS_URL)
        for key in connection.scan_iter(f"{prefix}*"):
            connection.delete(key)
        connection.close()


def worker(env: dict[str, str], cwd: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "posestudio_cli", "worker", "--burst"],
        env={**clean_environ(), **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr


async def test_the_worker_renders_clips_and_exports_on_s3(
    rq_backend: tuple[SessionsBackend, dict[str, str]], tmp_path: Path
) -> None:
    backend, env = rq_backend
    session, _ = await record_video(backend.url, 8, video=True)
    sid, stream = session["id"], session["streams"][0]
    listener = await Recorder.connect(backend.url)
    try:
        body = {"session_id": sid, "stream": stream["key"], "from": 0.0, "to": stream["last_ts"]}
        clip = backend.request("POST", "/api/clips", json=body).json()
        export = backend.request(
            "POST", f"/api/sessions/{sid}/exports", json={"format": "jsonl"}
        ).json()
        # Nobody runs jobs in the server: they wait in Redis for the worker.
        assert backend.get(f"/api/clips/{clip['id']}").json()["status"] == "queued"
        await asyncio.to_thread(worker, env, tmp_path)  # the loop keeps hearing events
        events = await listener.clip_done(clip["id"])
    finally:
        await listener.close()
    assert events[-1]["status"] == "complete"
    done = backend.get(f"/api/clips/{clip['id']}").json()
    assert done["status"] == "complete" and done["frames"] == 8
    video = backend.get(done["url"])
    with av.open(io.BytesIO(video.content)) as box:
        assert sum(1 for _ in box.decode(box.streams.video[0])) == 8
    part = backend.get(done["url"], headers={"Range": "bytes=8-15"})  # ranged reads from S3
    assert part.status_code == 206 and part.content == video.content[8:16]

    job = backend.get(f"/api/exports/{export['id']}", params={"presign": "true"}).json()
    assert job["status"] == "complete"
    assert job["url"].startswith(env["POSE_STUDIO_S3_ENDPOINT_URL"])
    signed = httpx.get(job["url"])  # no credentials: the signature is the permission
    assert signed.status_code == 200
    assert signed.content == backend.get(f"/api/sessions/{sid}/export.jsonl").content
    plain = backend.get(f"/api/exports/{export['id']}").json()["url"]
    assert backend.get(plain).content == signed.content

    assert backend.request("DELETE", f"/api/sessions/{sid}").status_code == 204
    left = s3_client(env["POSE_STUDIO_S3_ENDPOINT_URL"]).list_objects_v2(
        Bucket=env["POSE_STUDIO_S3_BUCKET"], Prefix=f"sessions/{sid}/"
    )
    assert left["KeyCount"] == 0
