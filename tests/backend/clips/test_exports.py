"""Exports as jobs: progress, then the stored file equals the streamed export."""

from __future__ import annotations

import io
from typing import Any

import pyarrow.parquet as pq

from tests.backend.clips.conftest import VIEWER_TOKEN, Recorded
from tests.utils.principals import BOB_TOKEN
from tests.utils.server import wait_for
from tests.utils.sessions import SessionsBackend


def export_done(backend: SessionsBackend, export_id: str, **params: Any) -> dict[str, Any]:
    def done() -> dict[str, Any] | None:
        job: dict[str, Any] = backend.get(f"/api/exports/{export_id}", params=params).json()
        return job if job["status"] in ("complete", "failed") else None

    job: dict[str, Any] = wait_for(done, 60, f"export {export_id}")
    return job


def test_export_jobs_store_what_the_streamed_exports_send(recorded: Recorded) -> None:
    backend, sid = recorded.backend, recorded.session["id"]
    for fmt in ("jsonl", "csv", "parquet"):
        started = backend.request(
            "POST", f"/api/sessions/{sid}/exports", json={"format": fmt, "from": 0.0}
        )
        assert started.status_code == 202, started.text
        assert started.json()["status"] in ("queued", "processing")
        job = export_done(backend, started.json()["id"])
        assert job["status"] == "complete" and job["progress"] == 1.0, job
        assert job["url"] == f"/api/exports/{job['id']}/file"
        # Local storage has no pre-signed URLs: the same backend URL.
        assert export_done(backend, job["id"], presign="true")["url"] == job["url"]
        stored = backend.get(job["url"])
        assert stored.status_code == 200 and len(stored.content) == job["bytes"]
        assert f'filename="{sid}.{fmt}"' in stored.headers["content-disposition"]
        streamed = backend.get(f"/api/sessions/{sid}/export.{fmt}")
        if fmt == "parquet":
            mine = pq.read_table(io.BytesIO(stored.content))
            assert mine.equals(pq.read_table(io.BytesIO(streamed.content)))
        else:
            assert stored.content == streamed.content

    ranged = backend.request(
        "POST",
        f"/api/sessions/{sid}/exports",
        json={
            "format": "jsonl",
            "stream": recorded.key,
            "from": recorded.times[3],
            "to": recorded.times[6],
        },
    ).json()
    lines = backend.get(export_done(backend, ranged["id"])["url"]).text.splitlines()
    assert len(lines) == 4


def test_export_jobs_permissions_and_bad_input(recorded: Recorded) -> None:
    backend, sid = recorded.backend, recorded.session["id"]
    path = f"/api/sessions/{sid}/exports"
    assert backend.request("POST", path, VIEWER_TOKEN, json={"format": "csv"}).status_code == 403
    assert backend.request("POST", path, BOB_TOKEN, json={"format": "csv"}).status_code == 404
    bad = backend.request("POST", path, json={"format": "csv", "from": 5, "to": 1})
    assert bad.status_code == 400
    wrong = backend.request("POST", path, json={"format": "xls"})
    assert wrong.status_code == 422 and wrong.json()["error"]["code"] == "BAD_REQUEST"
    unknown = backend.request("POST", path, json={"format": "csv", "stream": "st_nope"})
    assert unknown.status_code == 404
    job = backend.request("POST", path, json={"format": "csv"}).json()
    assert backend.get(f"/api/exports/{job['id']}", BOB_TOKEN).status_code == 404
    assert backend.get(f"/api/exports/{job['id']}/file", BOB_TOKEN).status_code == 404
    assert export_done(backend, job["id"])["status"] == "complete"
