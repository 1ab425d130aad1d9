"""The sessions part of a backend: storage, the writer thread, recovery, and recording.

Built once per process and given to `build_runtime(..., sessions=)`: the runtime starts it
(after the accounts) and stops it (after the streams), `attach` adds `record` and
`stop_record` to `/pose`, and `create_app` installs its routes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from posestudio.db.database import Database, utcnow
from posestudio.errors import (
    Conflict,
    NotFound,
    QuotaExceeded,
    SessionLimit,
    UnknownStream,
)
from posestudio.pipeline.stream import Channel, Stream, StreamState
from posestudio.sessions import chunks, crud, recovery
from posestudio.sessions.analytics import AnalyticsCache
from posestudio.sessions.cache import FinishedCache
from posestudio.sessions.models import RecordedSession, RecordOptions, SessionStream
from posestudio.sessions.recorder import RecorderSink, SessionRecording, StreamRecording
from posestudio.sessions.skeletons import KEPT_STREAMS, SolvedStream
from posestudio.sessions.writer import Writer
from posestudio.settings import Settings
from posestudio.storage import Storage, build_storage
from posestudio_core.auth import Principal
from posestudio_core.permissions import Action, allowed, authorize

if TYPE_CHECKING:
    from fastapi import FastAPI

    from posestudio.clips.service import Clips
    from posestudio.runtime import Runtime

log = logging.getLogger(__name__)


class Sessions:
    def __init__(
        self,
        settings: Settings,
        *,
        database: Database | None = None,
        storage: Storage | None = None,
    ) -> None:
        self.settings = settings
        self.database = database or Database(settings.resolved_database_url)
        self.storage = storage or build_storage(settings)
        self.writer = Writer(settings, self.storage, self.database, self._notify)
        self.analytics = AnalyticsCache()
        self.skeletons: FinishedCache[SolvedStream | None] = FinishedCache(KEPT_STREAMS)
        self.runtime: Runtime | None = None
        self._clips: Clips | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    # -- lifecycle ----------------------------------------------------------------
    def attach(self, runtime: Runtime) -> None:
        """Add `record` and `stop_record` to `/pose` (`build_runtime(..., sessions=)` does)."""
        from posestudio.clips.service import Clips

        self.runtime = runtime
        runtime.add_event("record", Action.SESSION_RECORD, self._on_record)
        runtime.add_event("stop_record", Action.SESSION_RECORD, self._on_stop_record)
        runtime.manager.add_sink_factory(self._rejoin)
        assert runtime.jobs is not None
        self._clips = Clips(
            self.settings, self.database, self.storage, runtime.jobs, self._emit_to_owner
        )

    @property
    def clips(self) -> Clips:
        """Clips and export jobs (made when the runtime attaches its job queue)."""
        assert self._clips is not None, "Sessions.attach has not run"
        return self._clips

    async def _emit_to_owner(self, owner: str, payload: dict[str, Any]) -> None:
        from posestudio.transports.socketio import NAMESPACE, owner_room

        assert self.runtime is not None
        await self.runtime.sio.emit("clip", payload, room=owner_room(owner), namespace=NAMESPACE)

    def start(self) -> None:
        """Migrate, close what a crash left recording, start the writer (blocking)."""
        self.database.upgrade_at_start()
        recovery.recover(self.database, self.storage)
        self.writer.start()

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop

    def close(self) -> None:
        """After the streams have closed: finish every recording, then stop the writer."""
        self.writer.close()

    def install(self, app: FastAPI) -> None:
        from posestudio.api import analytics, clips, exports, share
        from posestudio.api import sessions as routes

        app.state.sessions = self
        if not hasattr(app.state, "database"):
            app.state.database = self.database
        app.include_router(routes.router)
        app.include_router(clips.router)
        app.include_router(exports.router)
        app.include_router(share.router)
        app.include_router(analytics.router)

    # -- recording ------------------------------------------------------------------
    def _streams_for(
        self,
        principal: Principal,
        *,
        connection: str | None,
        name: str | None,
        ids: list[str] | None,
    ) -> list[Stream]:
        assert self.runtime is not None
        manager = self.runtime.manager
        if name is not None and connection is not None:
            found = [manager.find(connection, name)]
        elif ids:
            found = []
            for stream_id in dict.fromkeys(ids):
                stream = manager.get(stream_id)
                if stream.owner.subject != principal.subject:
                    raise UnknownStream(f"no running stream {stream_id!r}")
                found.append(stream)
        else:
            found = [s for s in manager.all_streams() if s.owner.subject == principal.subject]
        found = [s for s in found if s.state is StreamState.RUNNING]
        if not found:
            raise UnknownStream("no running stream of yours to record")
        return found

    async def record(
        self,
        principal: Principal,
        streams: list[Stream],
        options: RecordOptions,
        channel: Channel | None,
    ) -> dict[str, Any]:
        """Start a session over `streams` (the caller's own, running); its public form."""
        authorize(principal, Action.SESSION_RECORD)
        limit = self.settings.max_streams_per_session
        if len(streams) > limit:
            raise SessionLimit(
                f"at most {limit} streams per session",
                details={"limit": "max_streams_per_session", "value": limit},
            )
        busy = {k for r in self.writer.active() for s in r.streams for k in (s.key, s.stream.id)}
        for stream in streams:
            if stream.id in busy:
                raise Conflict(
                    f"stream {stream.name!r} is already being recorded",
                    details={"stream": stream.id},
                )
        head, rows, base = await asyncio.to_thread(self._create, principal, streams, options)
        recording = SessionRecording(
            id=head.id,
            owner=principal.subject,
            video=options.video,
            started_at=head.started_at,
            started_wall=head.started_at.timestamp(),
            quota_base=base,
            channel=channel,
            rejoin_s=self.settings.record_rejoin_seconds,
        )
        assert self.runtime is not None
        for stream, row in zip(streams, rows, strict=True):
            assert row.id is not None
            part = StreamRecording(recording, stream, row.id)
            recording.streams.append(part)
        self.writer.add(recording)
        for part in recording.streams:
            self.runtime.manager.attach_sink(part.stream, RecorderSink(part, self.writer.wake))
        return await asyncio.to_thread(self.detail_of, head.id)

    def _rejoin(self, stream: Stream) -> RecorderSink | None:
        """A sink factory: a started stream records on into the session whose stream of
        the same name and owner dropped with its connection (within `rejoin_s`); the
        session's `recording` events then go to the new connection."""
        if not allowed(stream.owner, Action.SESSION_RECORD):
            return None  # e.g. a paired phone: the same person, but it may not record
        for recording in self.writer.active():
            if recording.owner != stream.owner.subject or recording.stop_reason is not None:
                continue
            for part in recording.streams:
                if part.name == stream.name and part.waiting:
                    part.rebind(stream)
                    recording.channel = stream.channel
                    log.info("stream %s records on into session %s", stream.id, recording.id)
                    return RecorderSink(part, self.writer.wake)
        return None

    def _create(
        self, principal: Principal, streams: list[Stream], options: RecordOptions
    ) -> tuple[RecordedSession, list[SessionStream], int]:
        with self.database.session() as session:
            base = crud.owner_bytes(session, owner=principal.subject)
            quota = self.settings.session_quota_bytes
            if base >= quota:
                raise QuotaExceeded(
                    f"your recordings use {base} bytes of a {quota}-byte quota",
                    details={"limit": "session_quota_bytes", "value": quota, "used": base},
                )
            rows = [
                SessionStream(
                    session_id="",
                    key=s.id,
                    name=s.name,
                    engine=s.engine_name,
                    smoothing=s.options.smoothing_config() is not None,
                )
                for s in streams
            ]
            head = crud.create_session(
                session,
                owner=principal.subject,
                name=options.name,
                tags=options.tags,
                video=options.video,
                streams=rows,
                started_at=utcnow(),
            )
            for row in rows:
                session.refresh(row)
            return head, rows, base

    async def stop(self, principal: Principal, session_id: str) -> dict[str, Any]:
        """Stop a recording of the caller's (admins: anyone's); its final public form."""
        row = await asyncio.to_thread(self.get_visible, principal, session_id)
        recording = self.writer.get(row.id)
        if recording is None:
            raise Conflict("the session is not recording", details={"status": row.status})
        recording.request_stop("stopped")
        self.writer.wake.set()
        return await asyncio.wrap_future(recording.done)

    # -- reading ----------------------------------------------------------------------
    def robot_telemetry(self, owner: str, robot_id: str, sample: dict[str, Any]) -> None:
        """A telemetry sample of a robot `owner` controls: kept with each session they record."""
        for recording in self.writer.active():
            if recording.owner == owner:
                recording.add_telemetry(robot_id, sample)

    def telemetry_lines(self, session_id: str) -> Iterator[bytes]:
        """The robot telemetry kept with a session, as published: JSON lines by `ts`."""
        for key in sorted(self.storage.list(chunks.telemetry_prefix(session_id))):
            yield self.storage.get(key)

    def get_visible(self, principal: Principal, session_id: str) -> RecordedSession:
        """The session when the caller may read it; NOT_FOUND otherwise (unknown alike)."""
        with self.database.session() as session:
            row = crud.get_session(session, session_id=session_id)
        if row is None or not _may_read(principal, row):
            raise NotFound("no such session", details={"session_id": session_id})
        return row

    def detail_of(self, session_id: str) -> dict[str, Any]:
        with self.database.session() as session:
            row = crud.get_session(session, session_id=session_id)
            if row is None:
                raise NotFound("no such session", details={"session_id": session_id})
            return crud.public(session, row=row).model_dump(mode="json")

    async def delete(self, principal: Principal, session_id: str) -> None:
        row = await asyncio.to_thread(self.get_visible, principal, session_id)
        authorize(principal, Action.SESSION_DELETE, row)
        recording = self.writer.get(row.id)
        if recording is not None:
            recording.request_stop("deleted")
            self.writer.wake.set()
            await asyncio.wrap_future(recording.done)
        await asyncio.to_thread(self._delete, row)

    def _delete(self, row: RecordedSession) -> None:
        # Its clip and export jobs stop at their next step; one that publishes before
        # the rows are gone is removed by the second sweep, one after by the job itself.
        if self._clips is not None:
            self._clips.cancel_session(row.id)
        self.analytics.forget(row.id)
        self.skeletons.forget(row.id)
        self.storage.delete_prefix(chunks.session_prefix(row.id))
        with self.database.session() as session:
            fresh = crud.get_session(session, session_id=row.id)
            if fresh is not None:
                crud.delete_session(session, row=fresh)
        self.storage.delete_prefix(chunks.session_prefix(row.id))

    # -- /pose events -----------------------------------------------------------------
    async def _on_record(
        self, principal: Principal, sid: str, channel: Channel, data: Any
    ) -> dict[str, Any]:
        from posestudio.protocol.recording import RecordRequest
        from posestudio.transports.validation import parse

        request = parse(RecordRequest, {} if data is None else data)
        streams = self._streams_for(
            principal, connection=sid, name=request.stream_id, ids=request.streams
        )
        options = RecordOptions(name=request.name, tags=request.tags, video=request.video)
        session = await self.record(principal, streams, options, channel)
        return {"ok": True, "session": session}

    async def _on_stop_record(
        self, principal: Principal, sid: str, channel: Channel, data: Any
    ) -> dict[str, Any]:
        from posestudio.protocol.recording import StopRecordRequest
        from posestudio.transports.validation import parse

        request = parse(StopRecordRequest, data)
        return {"ok": True, "session": await self.stop(principal, request.session_id)}

    def _notify(self, recording: SessionRecording, payload: dict[str, Any]) -> None:
        """From the writer thread: a `recording` event to the connection that started it."""
        loop, channel = self._loop, recording.channel
        if loop is None or channel is None or loop.is_closed():
            return

        def send() -> None:
            task = loop.create_task(_send(channel, payload))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

        with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
            loop.call_soon_threadsafe(send)


async def _send(channel: Channel, payload: dict[str, Any]) -> None:
    try:
        await channel("recording", payload)
    except Exception:  # the connection may be gone; the session goes on
        log.debug("recording event not delivered", exc_info=True)


def _may_read(principal: Principal, row: RecordedSession) -> bool:
    from posestudio_core.permissions import allowed

    return allowed(principal, Action.SESSION_READ, row)
