"""People, for admins: create, change role or name, disable, reset password, delete."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path

from posestudio.accounts import users
from posestudio.accounts.deps import ClientDep
from posestudio.accounts.models import PasswordReset, User, UserCreate, UserPublic, UserUpdate
from posestudio.db.session import SessionDep
from posestudio_core.auth import Principal
from posestudio_core.deps import require
from posestudio_core.permissions import Action

router = APIRouter(prefix="/api/users", tags=["users"])

Admin = Annotated[Principal, Depends(require(Action.USERS_MANAGE))]
UserId = Annotated[int, Path(ge=1, le=2**31 - 1)]


def _public(user: User) -> UserPublic:
    return UserPublic.model_validate(user, from_attributes=True)


@router.get("")
def list_users(_: Admin, session: SessionDep) -> list[UserPublic]:
    """Everyone with an account."""
    return [_public(user) for user in users.list_users(session=session)]


@router.post("", status_code=201)
def create_user(
    body: UserCreate, admin: Admin, session: SessionDep, client: ClientDep
) -> UserPublic:
    """A new account with a role and an initial password."""
    return _public(
        users.create_user(session=session, data=body, actor=admin.subject, client=client)
    )


@router.get("/{user_id}")
def get_user(user_id: UserId, _: Admin, session: SessionDep) -> UserPublic:
    """One account."""
    return _public(users.get_user(session=session, user_id=user_id))


@router.patch("/{user_id}")
def update_user(
    user_id: UserId, body: UserUpdate, admin: Admin, session: SessionDep, client: ClientDep
) -> UserPublic:
    """Change display name, role or disabled; disabling ends the person's sessions."""
    return _public(
        users.update_user(
            session=session, user_id=user_id, changes=body, actor=admin.subject, client=client
        )
    )


@router.post("/{user_id}/password", status_code=204)
def reset_password(
    user_id: UserId, body: PasswordReset, admin: Admin, session: SessionDep, client: ClientDep
) -> None:
    """Set a new password; the person's browser sessions end."""
    users.set_password(
        session=session,
        user_id=user_id,
        password=body.password,
        actor=admin.subject,
        client=client,
    )


@router.delete("/{user_id}", status_code=204)
def delete_user(user_id: UserId, admin: Admin, session: SessionDep, client: ClientDep) -> None:
    """Remove an account with its sessions and tokens (the audit log keeps its rows)."""
    users.delete_user(session=session, user_id=user_id, actor=admin.subject, client=client)
