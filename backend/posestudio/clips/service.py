"""Clips and export jobs for the API: create, read (merging the job's live progress),
share, and push each clip's progress to its owner's `/pose` connections.

Pushing polls the job queue's status store (memory, or Redis when a worker runs the
job in another process) every `PUSH_INTERVAL_S` for the clips still rendering; only
changes are sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import Session

from posestudio.clips import crud
from posestudio.clips.models import ClipRow, ExportRow
from posestudio.db.database import Database, utcnow
from posestudio.errors import BadRequest, NotFound
from posestudio.protocol.clips import (
    Clip,
    ClipCreate,
    ClipEvent,
    ExportCreate,
    ExportJob,
    JobStatus,
    ShareLink,
)
from posestudio.protocol.codes import ErrorCode
from posestudio.sessions import crud as sessions_crud
from posestudio.sessions.models import RecordedSession
from posestudio.settings import Settings
from posestudio.storage import Storage
from posestudio_core.auth import Principal
from posestudio_core.ids import new_id
from posestudio_core.jobs import JobQueue, JobState
from posestudio_core.jobs import JobStatus as QueueStatus
from posestudio_core.permissions import Action, allowed

PUSH_INTERVAL_S = 0.25
Emit = Callable[[str, dict[str, Any]], Awaitable[None]]
"""emit(owner subject, `clip` payload) to that person's `/pose` connections."""

_STATES: dict[JobState, JobStatus] = {
    JobState.QUEUED: "queued",
    JobState.RUNNING: "processing",
    JobState.COMPLETE: "processing",  # the row says complete once the job has published
    JobState.FAILED: "failed",
}


def _live(
    row: ClipRow | ExportRow, status_of: Callable[[str], QueueStatus | None]
) -> tuple[JobStatus, float, str | None]:
    """(status, progress, error): the row's when it has ended, else its job's (asked of
    the job store, a Redis read with RQ, only then)."""
    if row.status == "complete":
        return "complete", 1.0, None
    if row.status == "failed":
        return "failed", 0.0, row.error or "failed"
    job = status_of(row.job_id)
    if job is None:
        return row.status, 0.0, None
    status = _STATES[job.state]
    if status == "failed":
        return "failed", job.progress, job.error or "failed"
    return status, job.progress if status == "processing" else 0.0, None


def _error(status: JobStatus, message: str | None) -> dict[str, Any] | None:
    if status != "failed":
        return None
    return {"code": ErrorCode.JOB_FAILED.value, "message": message or "failed"}


class Clips:
    def __init__(
        self,
        settings: Settings,
        database: Database,
        storage: Storage,
        jobs: JobQueue,
        emit: Emit | None = None,
    ) -> None:
        self.settings = settings
        self.database = database
        self.storage = storage
        self.jobs = jobs
        self.emit = emit
        self._watched: dict[str, tuple[str, str, tuple[str, float] | None]] = {}
        self._task: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake = asyncio.Event()

    # -- clips ----------------------------------------------------------------------
    def create_clip(self, principal: Principal, body: ClipCreate, row: RecordedSession) -> ClipRow:
        if body.to <= body.from_:
            raise BadRequest("a clip needs to > from", details={"from": body.from_, "to": body.to})
        limit = self.settings.max_clip_seconds
        if body.to - body.from_ > limit:
            raise BadRequest(
                f"a clip is at most {limit:g} s",
                details={"limit": "max_clip_seconds", "value": limit},
            )
        with self.database.session() as session:
            _check_stream(session, row.id, body.stream)
            clip_id = new_id("cl_")
            clip = ClipRow(
                id=clip_id,
                owner=principal.subject,
                session_id=row.id,
                stream=body.stream,
                start_ts=body.from_,
                end_ts=body.to,
                overlay=body.overlay,
                job_id="jb_" + clip_id[3:],
            )
            crud.add(session, clip)
        self._watched[clip.id] = (clip.owner, clip.job_id, None)
        self.jobs.enqueue(
            "clip.render",
            {"clip_id": clip.id},
            job_id=clip.job_id,
            timeout_s=self.settings.job_timeout_s,
        )
        if self._loop is not None:  # routes run on a thread: wake the loop's pusher
            with contextlib.suppress(RuntimeError):
                self._loop.call_soon_threadsafe(self._wake.set)
        return clip

    def clip_visible(self, principal: Principal, clip_id: str) -> ClipRow:
        """The clip when the caller may read it; NOT_FOUND otherwise (unknown alike)."""
        with self.database.session() as session:
            row = crud.get_clip(session, clip_id=clip_id)
        if row is None or not allowed(principal, Action.SESSION_READ, row):
            raise NotFound("no such clip", details={"clip_id": clip_id})
        return row

    def clip_public(self, row: ClipRow) -> Clip:
        status, progress, error = _live(row, self.jobs.status)
        return Clip.model_validate(
            {
                "id": row.id,
                "session_id": row.session_id,
                "stream": row.stream,
                "from": row.start_ts,
                "to": row.end_ts,
                "overlay": row.overlay,
                "status": status,
                "progress": progress,
                "url": f"/api/clips/{row.id}/video" if status == "complete" else None,
                "share_url": f"/share/{row.share_token}" if row.share_token else None,
                "error": _error(status, error),
                "frames": row.frames if status == "complete" else None,
                "duration_s": row.duration_s if status == "complete" else None,
                "bytes": row.bytes if status == "complete" else None,
                "created_at": row.created_at,
                "finished_at": row.finished_at,
            }
        )

    def clips_of(self, session_id: str) -> list[Clip]:
        with self.database.session() as session:
            rows = crud.clips_of(session, session_id=session_id)
        return [self.clip_public(r) for r in rows]

    def share(self, row: ClipRow, expires_s: int | None) -> ShareLink:
        token = secrets.token_urlsafe(24)
        expires = utcnow() + timedelta(seconds=expires_s) if expires_s else None
        with self.database.session() as session:
            crud.set_share(session, row=row, token=token, expires=expires)
        return ShareLink(token=token, url=f"/share/{token}", expires_at=expires)

    def unshare(self, row: ClipRow) -> None:
        with self.database.session() as session:
            crud.set_share(session, row=row, token=None, expires=None)

    def by_token(self, token: str) -> ClipRow:
        """A shared, complete clip; NOT_FOUND for an unknown, revoked or expired token."""
        with self.database.session() as session:
            row = crud.clip_by_token(session, token=token)
        expired = (
            row is not None
            and row.share_expires_at is not None
            and row.share_expires_at.replace(tzinfo=row.share_expires_at.tzinfo or UTC)
            <= datetime.now(UTC)
        )
        if row is None or expired or row.status != "complete" or row.key is None:
            raise NotFound("no such shared clip")
        return row

    # -- exports --------------------------------------------------------------------
    def create_export(
        self, principal: Principal, body: ExportCreate, row: RecordedSession
    ) -> ExportRow:
        if body.to is not None and body.from_ > body.to:
            raise BadRequest("from is after to", details={"from": body.from_, "to": body.to})
        with self.database.session() as session:
            if body.stream is not None:
                _check_stream(session, row.id, body.stream)
            export_id = new_id("ex_")
            export = ExportRow(
                id=export_id,
                owner=principal.subject,
                session_id=row.id,
                format=body.format,
                stream=body.stream,
                start_ts=body.from_,
                end_ts=body.to,
                job_id="jb_" + export_id[3:],
            )
            crud.add(session, export)
        self.jobs.enqueue(
            "session.export",
            {"export_id": export.id},
            job_id=export.job_id,
            timeout_s=self.settings.job_timeout_s,
        )
        return export

    def export_visible(self, principal: Principal, export_id: str) -> ExportRow:
        with self.database.session() as session:
            row = crud.get_export(session, export_id=export_id)
        if row is None or not allowed(principal, Action.SESSION_EXPORT, row):
            raise NotFound("no such export", details={"export_id": export_id})
        return row

    def export_public(self, row: ExportRow, *, presign: bool = False) -> ExportJob:
        status, progress, error = _live(row, self.jobs.status)
        url = None
        if status == "complete" and row.key is not None:
            url = self.storage.presign(row.key) if presign else None
            url = url or f"/api/exports/{row.id}/file"
        return ExportJob.model_validate(
            {
                "id": row.id,
                "session_id": row.session_id,
                "format": row.format,
                "status": status,
                "progress": progress,
                "url": url,
                "error": _error(status, error),
                "bytes": row.bytes if status == "complete" else None,
                "created_at": row.created_at,
                "finished_at": row.finished_at,
            }
        )

    # -- a session's deletion -------------------------------------------------------
    def cancel_session(self, session_id: str) -> None:
        """Stop the jobs of a session about to be deleted (they stop at their next frame)."""
        with self.database.session() as session:
            jobs = [r.job_id for r in crud.clips_of(session, session_id=session_id)]
            jobs += [r.job_id for r in crud.exports_of(session, session_id=session_id)]
        for job_id in jobs:
            self.jobs.cancel(job_id)

    # -- pushing progress -----------------------------------------------------------
    def start_pushes(self) -> None:
        self._wake = asyncio.Event()
        self._loop = asyncio.get_running_loop()
        self._task = self._loop.create_task(self._push_loop())

    async def stop_pushes(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        self._loop = None

    async def _push_loop(self) -> None:
        while True:
            if not self._watched:
                self._wake.clear()
                await self._wake.wait()
            try:
                events = await asyncio.to_thread(self._changes)
            except Exception:  # the store is unreachable for a moment: try again
                logging.getLogger(__name__).warning("clip progress unavailable", exc_info=True)
                events = []
            for owner, event in events:
                if self.emit is not None:
                    with contextlib.suppress(Exception):
                        await self.emit(owner, event)
            await asyncio.sleep(PUSH_INTERVAL_S)

    def _changes(self) -> list[tuple[str, dict[str, Any]]]:
        events = []
        with self.database.session() as session:
            rows = {
                clip_id: crud.get_clip(session, clip_id=clip_id) for clip_id in list(self._watched)
            }
        for clip_id, row in rows.items():
            if row is None:
                self._watched.pop(clip_id, None)
                continue
            watched = self._watched.get(clip_id)
            if watched is None:
                continue
            owner, job_id, sent = watched
            status, progress, error = _live(row, self.jobs.status)
            now = (status, round(progress, 2))
            if now != sent:
                event = ClipEvent.model_validate(
                    {
                        "id": clip_id,
                        "status": status,
                        "progress": now[1],
                        "error": _error(status, error),
                    }
                )
                events.append((owner, event.model_dump(mode="json", exclude_none=True)))
                self._watched[clip_id] = (owner, job_id, now)
            if status in ("complete", "failed"):
                self._watched.pop(clip_id, None)
        return events


def _check_stream(session: Session, session_id: str, stream: str) -> None:
    """NotFound unless the recorded session has this stream."""
    if stream not in {s.key for s in sessions_crud.streams_of(session, session_id=session_id)}:
        raise NotFound("no such stream in this session", details={"stream": stream})
