"""The `session.export` job: one of the streamed exports, written to a temporary file
and published whole to storage, with progress (docs/sessions.md, "Export jobs")."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from posestudio.clips import crud as job_rows
from posestudio.clips.job import scratch
from posestudio.clips.models import ExportRow
from posestudio.errors import StorageFailed
from posestudio.jobs import env_of
from posestudio.sessions import bvh, crud, exports
from posestudio_core.jobs import JobContext, job


class Cancelled(Exception):
    """The export was cancelled (or ran past its deadline)."""


def filename(row: ExportRow) -> str:
    return exports.filename(row.session_id, row.stream, row.format)


@job("session.export", retry_on=(StorageFailed,))
def export_session(ctx: JobContext, payload: dict[str, Any]) -> None:
    env = env_of(ctx)
    with env.database.session() as session:
        row = job_rows.get_export(session, export_id=payload["export_id"])
        streams = [] if row is None else crud.streams_of(session, session_id=row.session_id)
    if row is None or not job_rows.update(env.database, ExportRow, row.id, status="processing"):
        return
    sources = [exports.Source(s.key, s.name) for s in streams if row.stream in (None, s.key)]
    ends = [s.last_ts for s in streams if s.last_ts is not None]
    end = row.end_ts if row.end_ts is not None else max(ends, default=row.start_ts)
    span = max(end - row.start_ts, 1e-6)

    def progress(ts: float) -> None:
        if ctx.cancelled():
            raise Cancelled("the export was cancelled")
        ctx.progress(0.95 * min(1.0, (ts - row.start_ts) / span))

    prefix = job_rows.export_prefix(row.session_id, row.id)
    try:
        with tempfile.TemporaryDirectory(dir=scratch(env), prefix="export-") as tmp:
            out = Path(tmp) / filename(row)
            if row.format == "bvh":
                pieces = bvh.bvh(env.storage, row.session_id, sources[0].key, row.start_ts, end)
            else:
                part = exports.Span(env.storage, row.session_id, sources, row.start_ts, end)
                pieces = exports.WRITERS[row.format](part, progress)
            with open(out, "wb") as handle:
                for piece in pieces:
                    handle.write(piece)
            size = env.storage.put_file(prefix + out.name, out)
    except (Cancelled, FileNotFoundError) as exc:
        if not job_rows.update(env.database, ExportRow, row.id, status="failed", error=str(exc)):
            env.storage.delete_prefix(prefix)
        return
    except Exception as exc:
        message = getattr(exc, "message", None) or str(exc)
        job_rows.update(env.database, ExportRow, row.id, status="failed", error=message[:500])
        raise
    if not job_rows.update(
        env.database, ExportRow, row.id, status="complete", key=prefix + out.name, bytes=size
    ):
        env.storage.delete_prefix(prefix)
