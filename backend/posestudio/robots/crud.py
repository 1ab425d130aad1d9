"""Robots and behaviours in the database: plain functions with keyword-only arguments."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from posestudio.errors import Conflict, NotFound
from posestudio.protocol.robots import (
    Behaviour,
    BehaviourCreate,
    RobotConfig,
    RobotCreate,
    RobotLimits,
    RobotPublic,
    RobotUpdate,
)
from posestudio.robots.models import BehaviourRow, RobotRow
from posestudio_core.ids import new_id


def public(row: RobotRow) -> RobotPublic:
    """A robot for people: never its key."""
    return RobotPublic(
        id=row.id,
        name=row.name,
        model=row.model,  # type: ignore[arg-type]
        method=row.method,  # type: ignore[arg-type]
        address=row.address,
        serial=row.serial,
        has_aes_key=row.aes_key is not None,
        limits=RobotLimits.model_validate(row.limits),
        created_at=row.created_at,
    )


def config(row: RobotRow) -> RobotConfig:
    """A robot for the robot service, key included."""
    return RobotConfig(
        id=row.id,
        name=row.name,
        model=row.model,  # type: ignore[arg-type]
        method=row.method,  # type: ignore[arg-type]
        address=row.address,
        serial=row.serial,
        aes_key=row.aes_key,
        limits=RobotLimits.model_validate(row.limits),
    )


def _commit(session: Session, row: RobotRow) -> None:
    session.add(row)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise Conflict(
            "a robot with this name exists already", details={"name": row.name}
        ) from None


def create(session: Session, *, body: RobotCreate) -> RobotRow:
    row = RobotRow(
        id=new_id("rb_"),
        name=body.name,
        model=body.model,
        method=body.method,
        address=body.address,
        serial=body.serial,
        aes_key=body.aes_key,
        limits=body.limits.model_dump(),
    )
    _commit(session, row)
    return row


def get(session: Session, *, robot_id: str) -> RobotRow:
    row = session.get(RobotRow, robot_id)
    if row is None:
        raise NotFound("no such robot", details={"robot_id": robot_id})
    return row


def all_robots(session: Session) -> list[RobotRow]:
    return list(session.exec(select(RobotRow).order_by(col(RobotRow.name))))


def update(session: Session, *, robot_id: str, body: RobotUpdate) -> RobotRow:
    row = get(session, robot_id=robot_id)
    for field in ("name", "method", "address", "serial", "aes_key"):
        value = getattr(body, field)
        if value is not None:
            setattr(row, field, value)
    if body.clear_aes_key:
        row.aes_key = None
    if body.limits is not None:
        row.limits = body.limits.model_dump()
    _commit(session, row)
    return row


def delete(session: Session, *, robot_id: str) -> None:
    session.delete(get(session, robot_id=robot_id))
    session.commit()


# -- behaviours ------------------------------------------------------------------------


def behaviour_public(row: BehaviourRow) -> Behaviour:
    return Behaviour.model_validate(row, from_attributes=True)


def create_behaviour(session: Session, *, body: BehaviourCreate, author: str) -> BehaviourRow:
    """A new behaviour; one with the name of an older one is that name's next version."""
    latest = session.exec(
        select(BehaviourRow)
        .where(BehaviourRow.name == body.name)
        .order_by(col(BehaviourRow.version).desc())
    ).first()
    data = body.model_dump(mode="json")
    row = BehaviourRow(
        id=new_id("bh_"),
        version=latest.version + 1 if latest else 1,
        author=author,
        **data,
    )
    session.add(row)
    session.commit()
    return row


def behaviours(session: Session, *, query: str | None = None) -> list[BehaviourRow]:
    statement = select(BehaviourRow)
    if query:
        statement = statement.where(col(BehaviourRow.name).icontains(query))
    order = (col(BehaviourRow.name), col(BehaviourRow.version).desc())
    return list(session.exec(statement.order_by(*order)))


def get_behaviour(session: Session, *, behaviour_id: str) -> BehaviourRow:
    row = session.get(BehaviourRow, behaviour_id)
    if row is None:
        raise NotFound("no such behaviour", details={"behaviour_id": behaviour_id})
    return row


def delete_behaviour(session: Session, *, behaviour_id: str) -> None:
    session.delete(get_behaviour(session, behaviour_id=behaviour_id))
    session.commit()
