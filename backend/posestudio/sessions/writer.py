"""The writer thread: publishes every recording's pending frames about once a second.

Per stream and flush: the JPEG chunk (when the session keeps video), then the Parquet
pose chunk that indexes it, each published atomically by the storage; then the
database rows. It also ends sessions: on request (stop), when their streams have all
ended, at a limit (length, quota), or when the storage fails.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from posestudio.db.database import Database, utcnow
from posestudio.errors import PoseStudioError, QuotaExceeded, SessionLimit, StorageFailed
from posestudio.imaging import encode_jpeg
from posestudio.protocol import person_to_wire
from posestudio.sessions import chunks, crud
from posestudio.sessions.models import RecordedSession, SessionStream
from posestudio.sessions.recorder import RECORD_JPEG_QUALITY, SessionRecording, StreamRecording
from posestudio.settings import Settings
from posestudio.storage import Storage

log = logging.getLogger(__name__)

# How long a stop waits for results still in the recorder sinks' buffers, and how often
# the writer looks meanwhile.
STOP_GRACE_S = 2.0
STOP_POLL_S = 0.02

Notify = Callable[[SessionRecording, dict[str, Any]], None]
"""Called in the writer thread with a `recording` event for the session's owner."""


class Writer:
    def __init__(
        self, settings: Settings, storage: Storage, database: Database, notify: Notify
    ) -> None:
        self.settings = settings
        self.storage = storage
        self.database = database
        self.notify = notify
        self.wake = threading.Event()
        self._lock = threading.Lock()
        self._sessions: dict[str, SessionRecording] = {}
        self._closing = False
        self._thread = threading.Thread(target=self._run, name="session-writer", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def add(self, recording: SessionRecording) -> None:
        with self._lock:
            self._sessions[recording.id] = recording

    def get(self, session_id: str) -> SessionRecording | None:
        with self._lock:
            return self._sessions.get(session_id)

    def active(self) -> list[SessionRecording]:
        with self._lock:
            return list(self._sessions.values())

    def close(self) -> None:
        """Finish every recording (flushing what it has), then end the thread."""
        for recording in self.active():
            recording.request_stop("server_stopped")
        self._closing = True
        self.wake.set()
        self._thread.join(timeout=30)

    def _run(self) -> None:
        while True:
            stopping = any(r.stop_reason is not None for r in self.active())
            # While a stop waits for the last results in the sinks' buffers, look often.
            self.wake.wait(STOP_POLL_S if stopping else self.settings.record_flush_seconds)
            self.wake.clear()
            for recording in self.active():
                try:
                    self._flush(recording)
                except Exception:  # one session's failure must not stop the others
                    log.exception("recording %s failed", recording.id)
                    recording.request_stop("failed", StorageFailed("recording failed"))
                    self._finish(recording, "interrupted")
            if self._closing and not self.active():
                return

    # -- one session ------------------------------------------------------------
    def _flush(self, recording: SessionRecording) -> None:
        # Decided before taking the pending frames, so none taken in after it is left out.
        ready = recording.stop_reason is not None and self._drained(recording)
        ended = all(s.finished for s in recording.streams)
        try:
            for stream in recording.streams:
                self._flush_stream(recording, stream)
            self._flush_telemetry(recording)
        except StorageFailed as exc:
            log.error("recording %s: %s", recording.id, exc)
            recording.request_stop(f"storage_failed: {exc}"[:200], exc)
            self._save(recording)
            self._finish(recording, "interrupted")
            return
        self._save(recording)
        self._check_limits(recording)
        if recording.stop_reason is None and ended:
            recording.request_stop("stream_ended")
            ready = True
        if ready:
            self._finish(recording, "complete")
        else:
            self.notify(recording, self._progress(recording, "recording"))

    def _drained(self, recording: SessionRecording) -> bool:
        if all(s.drained for s in recording.streams):
            return True
        started = recording.stop_requested or 0.0
        return time.monotonic() - started >= STOP_GRACE_S

    def _flush_stream(self, recording: SessionRecording, stream: StreamRecording) -> None:
        pending = stream.take()
        if not pending:
            return
        records: list[chunks.FrameRecord] = []
        for item in pending:
            # A frame already in the pipeline when recording started arrived before the
            # start: it counts at 0, or `from=0` (the default of every read) would skip it.
            ts = max(0.0, round(item.arrival_ts - recording.started_wall, 6))
            records.append(
                chunks.FrameRecord(
                    index=stream.next_index + len(records),
                    ts=ts,
                    seq=item.seq,
                    capture_ts=item.capture_ts,
                    arrival_ts=item.arrival_ts,
                    width=item.width,
                    height=item.height,
                    message=item.message,
                    raw=None if item.raw is None else [person_to_wire(p) for p in item.raw],
                    jpeg=item.jpeg
                    if item.rgb is None
                    else encode_jpeg(item.rgb, RECORD_JPEG_QUALITY),
                )
            )
        poses, jpegs = chunks.encode(records)
        number = stream.next_chunk
        if jpegs is not None:
            self.storage.put(chunks.jpeg_key(recording.id, stream.key, number), jpegs)
        self.storage.put(
            chunks.pose_key(recording.id, stream.key, number, records[0].ts, records[0].index),
            poses,
        )
        size = len(poses) + (len(jpegs) if jpegs is not None else 0)
        stream.next_chunk += 1
        stream.next_index += len(records)
        stream.frames += len(records)
        stream.bytes += size
        recording.bytes += size
        if stream.first_ts is None:
            stream.first_ts = records[0].ts
        stream.last_ts = records[-1].ts
        stream.image = (records[-1].width, records[-1].height)

    def _flush_telemetry(self, recording: SessionRecording) -> None:
        """The robot telemetry taken in since the last flush: one JSON-lines object."""
        samples = recording.take_telemetry()
        if not samples:
            return
        data = "".join(json.dumps(s, separators=(",", ":")) + "\n" for s in samples).encode()
        self.storage.put(chunks.telemetry_key(recording.id, recording.telemetry_chunks), data)
        recording.telemetry_chunks += 1
        recording.bytes += len(data)

    def _check_limits(self, recording: SessionRecording) -> None:
        s = self.settings
        elapsed = (utcnow() - recording.started_at).total_seconds()
        if elapsed >= s.max_session_seconds:
            recording.request_stop(
                "max_session_seconds",
                SessionLimit(
                    f"the session reached max_session_seconds={s.max_session_seconds:g}; "
                    "recording stopped",
                    details={"limit": "max_session_seconds", "value": s.max_session_seconds},
                ),
            )
        elif recording.quota_base + recording.bytes >= s.session_quota_bytes:
            recording.request_stop(
                "quota",
                QuotaExceeded(
                    f"your recordings reached the storage quota of {s.session_quota_bytes} "
                    "bytes; recording stopped",
                    details={"limit": "session_quota_bytes", "value": s.session_quota_bytes},
                ),
            )

    def _save(self, recording: SessionRecording) -> None:
        with self.database.session() as session:
            for stream in recording.streams:
                row = session.get(SessionStream, stream.row_id)
                if row is None:  # deleted while recording
                    continue
                row.frames = stream.frames
                row.drops = stream.drops
                row.chunks = stream.next_chunk
                row.bytes = stream.bytes
                row.first_ts = stream.first_ts
                row.last_ts = stream.last_ts
                if stream.image is not None:
                    row.width, row.height = stream.image
                session.add(row)
            head = session.get(RecordedSession, recording.id)
            if head is not None:
                head.bytes = recording.bytes
                session.add(head)
            session.commit()

    def _finish(self, recording: SessionRecording, status: str) -> None:
        recording.halt()
        public: dict[str, Any] = {}
        with self.database.session() as session:
            head = session.get(RecordedSession, recording.id)
            if head is not None:
                head.status = "interrupted" if status == "interrupted" else "complete"
                ends = [s.last_ts for s in recording.streams if s.last_ts is not None]
                head.ended_at = recording.started_at + timedelta(seconds=max(ends, default=0))
                head.stop_reason = recording.stop_reason
                if status == "interrupted":
                    head.note = (
                        f"recording stopped on a storage failure; frames up to ts "
                        f"{max(ends, default=0):.2f} s were kept"
                    )
                session.add(head)
                session.commit()
                public = crud.public(session, row=head).model_dump(mode="json")
        with self._lock:
            self._sessions.pop(recording.id, None)
        self.notify(recording, self._progress(recording, public.get("status", status)))
        if not recording.done.done():
            recording.done.set_result(public)

    def _progress(self, recording: SessionRecording, status: str) -> dict[str, Any]:
        error: PoseStudioError | None = recording.error
        return {
            "session_id": recording.id,
            "status": status,
            "elapsed_s": round((utcnow() - recording.started_at).total_seconds(), 2),
            "frames": recording.frames,
            "bytes": recording.bytes,
            "stop_reason": recording.stop_reason if status != "recording" else None,
            "error": error.to_wire() if error is not None and status != "recording" else None,
        }
