"""A session's analytics and events (docs/sessions.md, "Analytics").

Computed from the stored chunks on the first request and cached for finished sessions;
another person's session answers 404 like an unknown one, as every sessions route does.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from sqlmodel import Session

from posestudio.api.sessions import From, Reader, SessionId, SessionsDep, To, _range, _visible
from posestudio.db.session import SessionDep
from posestudio.errors import NotFound
from posestudio.protocol.analytics import SessionAnalytics, SessionEvents
from posestudio.sessions import analytics, crud
from posestudio.sessions.models import RecordedSession
from posestudio.sessions.service import Sessions
from posestudio_core.permissions import Action

router = APIRouter(prefix="/api/sessions", tags=["sessions"])


def _replay(sessions: Sessions, session: Session, row: RecordedSession) -> analytics.Replay:
    streams = [s.key for s in crud.streams_of(session, session_id=row.id)]
    return analytics.Replay(
        storage=sessions.storage,
        session_id=row.id,
        streams=streams,
        annotations=crud.list_annotations(session, session_id=row.id),
        finished=row.status != "recording",
    )


@router.get("/{session_id}/analytics", response_model=SessionAnalytics)
def session_analytics(
    session_id: SessionId,
    principal: Reader,
    sessions: SessionsDep,
    session: SessionDep,
    stream: Annotated[str | None, Query(max_length=32)] = None,
    start: From = 0.0,
    end: To = None,
) -> SessionAnalytics:
    """Range of motion, time in view, intensity, repetitions, where the person stood, and
    the events of one stream (default: the first) over [from, to] session seconds."""
    _range(start, end)
    row = _visible(sessions, principal, session_id, Action.SESSION_READ)
    replay = _replay(sessions, session, row)
    if stream is not None and stream not in replay.streams:
        raise NotFound("no such stream in this session", details={"stream": stream})
    return analytics.analyze(replay, stream=stream, start=start, end=end, cache=sessions.analytics)


@router.get("/{session_id}/events", response_model=SessionEvents)
def session_events(
    session_id: SessionId, principal: Reader, sessions: SessionsDep, session: SessionDep
) -> SessionEvents:
    """Every stream's repetitions and out-of-view spans and the annotations, by time."""
    row = _visible(sessions, principal, session_id, Action.SESSION_READ)
    replay = _replay(sessions, session, row)
    return SessionEvents(events=analytics.session_events(replay, sessions.analytics))
