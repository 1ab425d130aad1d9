"""Robots (docs/robots.md): the registry (admins), the e-stop (operators), behaviours.

A robot's `aes_key` is write-only here: answers say only `has_aes_key`.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from posestudio.api.sessions import _stream_key, _visible
from posestudio.errors import BadRequest, NotFound
from posestudio.protocol.robots import (
    ROBOT_ID_PATTERN,
    Behaviour,
    BehaviourCreate,
    BehaviourFromSession,
    BehaviourList,
    CommandAck,
    RobotCreate,
    RobotList,
    RobotPublic,
    RobotUpdate,
)
from posestudio.robots import crud
from posestudio.robots.fromsession import MAX_SPAN_S, recorded_poses, steps_from_poses
from posestudio.robots.service import Robots
from posestudio.sessions.service import Sessions
from posestudio_core.auth import Principal
from posestudio_core.deps import from_state, require
from posestudio_core.permissions import Action, authorize

router = APIRouter(tags=["robots"])

RobotsDep = Annotated[Robots, Depends(from_state("robots"))]
Manager = Annotated[Principal, Depends(require(Action.ROBOT_MANAGE))]
Controller = Annotated[Principal, Depends(require(Action.ROBOT_CONTROL))]
Viewer = Annotated[Principal, Depends(require(Action.ROBOT_VIEW))]
RobotId = Annotated[str, Path(pattern=ROBOT_ID_PATTERN)]
BehaviourId = Annotated[str, Path(min_length=1, max_length=32, pattern=r"^bh_[A-Za-z0-9_-]+$")]


async def _in_db(robots: Robots, work: Any) -> Any:
    def run() -> Any:
        with robots.database.session() as session:
            return work(session)

    return await asyncio.to_thread(run)


@router.get("/api/robots", response_model=RobotList)
async def list_robots(_: Viewer, robots: RobotsDep) -> RobotList:
    """The registry (for live status, listen on `/robots`)."""
    rows = await _in_db(robots, crud.all_robots)
    return RobotList(robots=[crud.public(row) for row in rows])


@router.post("/api/robots", status_code=201, response_model=RobotPublic)
async def create_robot(body: RobotCreate, principal: Manager, robots: RobotsDep) -> RobotPublic:
    """Add a robot; the robot service hears of it at once (`robot_config`)."""

    def work(session: Any) -> Any:
        row = crud.create(session, body=body)
        _audit(session, principal, "robot.create", row.id, {"name": row.name, "model": row.model})
        return row

    row = await _in_db(robots, work)
    await robots.reload()
    return crud.public(row)


@router.get("/api/robots/{robot_id}", response_model=RobotPublic)
async def get_robot(robot_id: RobotId, _: Viewer, robots: RobotsDep) -> RobotPublic:
    """One robot of the registry."""
    return crud.public(await _in_db(robots, lambda s: crud.get(s, robot_id=robot_id)))


@router.patch("/api/robots/{robot_id}", response_model=RobotPublic)
async def update_robot(
    robot_id: RobotId, body: RobotUpdate, principal: Manager, robots: RobotsDep
) -> RobotPublic:
    """Change a robot (its key only when `aes_key` or `clear_aes_key` is given)."""

    def work(session: Any) -> Any:
        row = crud.update(session, robot_id=robot_id, body=body)
        changed = sorted(body.model_dump(exclude_unset=True))
        _audit(session, principal, "robot.update", robot_id, {"fields": changed})
        return row

    row = await _in_db(robots, work)
    await robots.reload()
    return crud.public(row)


@router.delete("/api/robots/{robot_id}", status_code=204)
async def delete_robot(robot_id: RobotId, principal: Manager, robots: RobotsDep) -> Response:
    """Remove a robot (its lease ends, the robot is told to stop)."""

    def work(session: Any) -> None:
        crud.delete(session, robot_id=robot_id)
        _audit(session, principal, "robot.delete", robot_id, None)

    await _in_db(robots, work)
    await robots.reload()
    return Response(status_code=204)


@router.post("/api/robots/{robot_id}/estop", response_model=CommandAck)
async def estop(robot_id: RobotId, principal: Controller, robots: RobotsDep) -> dict[str, Any]:
    """E-stop: damp the robot now, latched until an operator clears it (no lease needed)."""
    return await robots.hub.estop(principal, robot_id, "api")


@router.get("/api/behaviours", response_model=BehaviourList)
async def list_behaviours(
    _: Viewer,
    robots: RobotsDep,
    q: Annotated[str | None, Query(max_length=64, description="part of the name")] = None,
) -> BehaviourList:
    """The behaviours library, by name, newest version first."""
    rows = await _in_db(robots, lambda s: crud.behaviours(s, query=q))
    return BehaviourList(behaviours=[crud.behaviour_public(row) for row in rows])


@router.post("/api/behaviours", status_code=201, response_model=Behaviour)
async def create_behaviour(
    body: BehaviourCreate, principal: Controller, robots: RobotsDep
) -> Behaviour:
    """Save a recorded sequence (a known name gets its next version); also imports an export."""
    row = await _in_db(
        robots, lambda s: crud.create_behaviour(s, body=body, author=principal.subject)
    )
    return crud.behaviour_public(row)


def _sessions(request: Request) -> Sessions:
    sessions: Sessions | None = getattr(request.app.state, "sessions", None)
    if sessions is None:
        raise NotFound("this studio records no sessions", details={"reason": "no_sessions"})
    return sessions


@router.post("/api/behaviours/from-session", status_code=201, response_model=Behaviour)
def behaviour_from_session(
    body: BehaviourFromSession,
    principal: Controller,
    robots: RobotsDep,
    sessions: Annotated[Sessions, Depends(_sessions)],
) -> Behaviour:
    """A behaviour from a recorded span of a session I may read: the "your pose" mapping
    applied to its frames at their times (a known name gets its next version)."""
    if body.to <= body.from_:
        raise BadRequest("to must be after from", details={"field": "to", "from": body.from_})
    if body.to - body.from_ > MAX_SPAN_S:
        raise BadRequest(
            f"a span of at most {MAX_SPAN_S:.0f} s",
            details={"field": "to", "max_span_s": MAX_SPAN_S},
        )
    row = _visible(sessions, principal, body.session_id, Action.SESSION_READ)
    key = _stream_key(sessions, row, body.stream)
    poses = recorded_poses(sessions.storage, row.id, key, body.from_, body.to)
    steps = steps_from_poses(poses, body.limits, body.from_, body.to)
    made = BehaviourCreate(
        name=body.name,
        description=body.description
        or f"From session {row.id}, stream {key}, {body.from_:g}-{body.to:g} s",
        licence=body.licence,
        models=body.models,
        steps=steps,
    )
    with robots.database.session() as session:
        created = crud.create_behaviour(session, body=made, author=principal.subject)
        return crud.behaviour_public(created)


@router.get("/api/behaviours/{behaviour_id}", response_model=Behaviour)
async def get_behaviour(behaviour_id: BehaviourId, _: Viewer, robots: RobotsDep) -> Behaviour:
    """One behaviour with its steps (the export format: POST it to import)."""
    row = await _in_db(robots, lambda s: crud.get_behaviour(s, behaviour_id=behaviour_id))
    return crud.behaviour_public(row)


@router.delete("/api/behaviours/{behaviour_id}", status_code=204)
async def delete_behaviour(
    behaviour_id: BehaviourId, principal: Controller, robots: RobotsDep
) -> Response:
    """Remove one version of a behaviour (its author's, or an admin's to remove)."""

    def work(session: Any) -> None:
        row = crud.get_behaviour(session, behaviour_id=behaviour_id)
        authorize(principal, Action.ROBOT_CONTROL, _Authored(row.author))
        crud.delete_behaviour(session, behaviour_id=behaviour_id)

    await _in_db(robots, work)
    return Response(status_code=204)


@dataclass(frozen=True)
class _Authored:
    """A behaviour as `authorize` sees it: its author owns it; admins reach every one."""

    owner: str
    shared_with: frozenset[str] = frozenset()


def _audit(
    session: Any, principal: Principal, action: str, target: str, details: dict[str, Any] | None
) -> None:
    from posestudio.accounts import audit

    audit.record(
        session=session, action=action, actor=principal.subject, target=target, details=details
    )
    session.commit()
