"""People: plain CRUD functions. Each change writes its audit row in its own commit."""

from __future__ import annotations

from sqlalchemy import func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from posestudio.accounts import audit
from posestudio.accounts.errors import EmailTaken, LastAdmin, UnknownUser
from posestudio.accounts.models import BrowserSession, User, UserCreate, UserUpdate
from posestudio.accounts.passwords import check_password_rules, hash_password
from posestudio.db.database import utcnow


def count_users(*, session: Session) -> int:
    return session.exec(select(func.count()).select_from(User)).one()


def get_user(*, session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise UnknownUser(f"no user {user_id}", details={"user_id": user_id})
    return user


def find_user_by_email(*, session: Session, email: str) -> User | None:
    return session.exec(select(User).where(User.email == email.lower())).first()


def list_users(*, session: Session) -> list[User]:
    return list(session.exec(select(User).order_by(col(User.id))).all())


def create_user(
    *, session: Session, data: UserCreate, actor: str | None, client: str | None = None
) -> User:
    """Store a new person; EmailTaken and WeakPassword change nothing."""
    check_password_rules(data.password, email=data.email)
    if find_user_by_email(session=session, email=data.email) is not None:
        raise EmailTaken("that email already has an account")
    user = User(
        email=data.email,
        display_name=data.display_name,
        role=data.role,
        password_hash=hash_password(data.password),
    )
    session.add(user)
    try:
        session.flush()
    except IntegrityError:
        # Two requests for one address at once: the unique index decides.
        session.rollback()
        raise EmailTaken("that email already has an account") from None
    audit.record(
        session=session,
        action="user.created",
        actor=actor,
        target=user.subject,
        client=client,
        details={"email": user.email, "role": user.role},
    )
    session.commit()
    return user


def _active_admins(session: Session) -> int:
    query = select(func.count()).select_from(User).where(User.role == "admin")
    return session.exec(query.where(col(User.disabled).is_(False))).one()


def _keep_an_admin(session: Session, user: User) -> None:
    if user.role == "admin" and not user.disabled and _active_admins(session) <= 1:
        raise LastAdmin("this is the only active admin", details={"user_id": user.id})


def revoke_user_sessions(*, session: Session, user_id: int) -> None:
    session.execute(
        update(BrowserSession)
        .where(col(BrowserSession.user_id) == user_id, col(BrowserSession.revoked_at).is_(None))
        .values(revoked_at=utcnow())
    )


def update_user(
    *,
    session: Session,
    user_id: int,
    changes: UserUpdate,
    actor: str | None,
    client: str | None = None,
) -> User:
    user = get_user(session=session, user_id=user_id)
    demoted = changes.role is not None and changes.role != "admin"
    if demoted or changes.disabled:
        _keep_an_admin(session, user)
    if changes.display_name is not None:
        user.display_name = changes.display_name
    if changes.role is not None and changes.role != user.role:
        audit.record(
            session=session,
            action="user.role_changed",
            actor=actor,
            target=user.subject,
            client=client,
            details={"from": user.role, "to": changes.role},
        )
        user.role = changes.role
    if changes.disabled is not None and changes.disabled != user.disabled:
        user.disabled = changes.disabled
        audit.record(
            session=session,
            action="user.disabled" if changes.disabled else "user.enabled",
            actor=actor,
            target=user.subject,
            client=client,
        )
        if changes.disabled:
            revoke_user_sessions(session=session, user_id=user_id)
    user.updated_at = utcnow()
    session.add(user)
    session.commit()
    return user


def set_password(
    *, session: Session, user_id: int, password: str, actor: str | None, client: str | None = None
) -> User:
    """A new password; the person's browser sessions end (their API tokens stay)."""
    user = get_user(session=session, user_id=user_id)
    check_password_rules(password, email=user.email)
    user.password_hash = hash_password(password)
    user.updated_at = utcnow()
    revoke_user_sessions(session=session, user_id=user_id)
    audit.record(
        session=session,
        action="user.password_changed" if actor == user.subject else "user.password_reset",
        actor=actor,
        target=user.subject,
        client=client,
    )
    session.add(user)
    session.commit()
    return user


def delete_user(
    *, session: Session, user_id: int, actor: str | None, client: str | None = None
) -> None:
    """Remove a person; their sessions and tokens go with them (ON DELETE CASCADE)."""
    user = get_user(session=session, user_id=user_id)
    _keep_an_admin(session, user)
    audit.record(
        session=session,
        action="user.deleted",
        actor=actor,
        target=user.subject,
        client=client,
        details={"email": user.email},
    )
    session.delete(user)
    session.commit()
