"""At start: sessions still `recording` were cut short by a crash; close them honestly.

Each becomes `interrupted`, its streams counted from the chunks actually published
(the database may lag the storage by one flush), with a note saying up to when frames
were kept. Leftover temporary objects are removed.
"""

from __future__ import annotations

import io
import logging
from datetime import timedelta

import pyarrow.parquet as pq
from sqlmodel import Session

from posestudio.db.database import Database
from posestudio.sessions import chunks, crud
from posestudio.sessions.models import RecordedSession
from posestudio.storage import Storage

log = logging.getLogger(__name__)


def recover(database: Database, storage: Storage) -> list[str]:
    """Close every session left `recording`; the ids closed."""
    closed = []
    with database.session() as session:
        for head in crud.recording_sessions(session):
            _close(session, head, storage)
            closed.append(head.id)
        session.commit()
    if closed:
        log.warning("closed %d interrupted session(s): %s", len(closed), ", ".join(closed))
    return closed


def _close(session: Session, head: RecordedSession, storage: Storage) -> None:
    storage.clean_temporary(chunks.session_prefix(head.id))
    total = 0
    last_kept = 0.0
    for row in crud.streams_of(session, session_id=head.id):
        names = chunks.list_pose_chunks(storage, head.id, row.key)
        frames = 0
        size = 0
        last_ts: float | None = None
        first_ts: float | None = None
        for name in names:
            data = storage.get(name.key)
            size += len(data)
            frames += pq.ParquetFile(io.BytesIO(data)).metadata.num_rows
        if names:
            first = chunks.read(storage, names[0].key).column("ts")
            last = chunks.read(storage, names[-1].key)
            first_ts = float(first[0].as_py())
            last_ts = float(last.column("ts")[-1].as_py())
            row.width = int(last.column("width")[-1].as_py())
            row.height = int(last.column("height")[-1].as_py())
        for jpeg in storage.list(f"{chunks.stream_prefix(head.id, row.key)}/jpeg/"):
            size += len(storage.get(jpeg))
        row.frames, row.bytes, row.chunks = frames, size, len(names)
        row.first_ts, row.last_ts = first_ts, last_ts
        session.add(row)
        total += size
        last_kept = max(last_kept, last_ts or 0.0)
    head.status = "interrupted"
    head.stop_reason = "server_stopped"
    head.bytes = total
    head.ended_at = head.started_at + timedelta(seconds=last_kept)
    head.note = (
        f"the server stopped while recording; frames up to ts {last_kept:.2f} s were kept "
        "(about the last second before the stop may be missing)"
    )
    session.add(head)
