"""Browser sign-in: email and password for a session cookie; who am I; sign out."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, Field

from posestudio.accounts import audit
from posestudio.accounts.deps import AccountsDep, ClientDep
from posestudio.accounts.errors import InvalidCredentials
from posestudio.accounts.models import Password, UserPublic
from posestudio.accounts.passwords import verify_password
from posestudio.accounts.service import Accounts
from posestudio.accounts.sessions import create_session, end_session
from posestudio.accounts.signin import sign_in
from posestudio.accounts.users import get_user, set_password
from posestudio.db.session import SessionDep
from posestudio.errors import BadRequest
from posestudio_core.auth import SESSION_COOKIE, Principal
from posestudio_core.deps import public, require
from posestudio_core.permissions import Action

router = APIRouter(prefix="/api/auth", tags=["auth"])


class Login(BaseModel):
    email: str = Field(max_length=254)
    password: str = Field(max_length=256)


class PasswordChange(BaseModel):
    current_password: str = Field(max_length=256)
    new_password: Password


Account = Annotated[Principal, Depends(require(Action.ACCOUNT_MANAGE))]


def set_session_cookie(response: Response, accounts: Accounts, secret: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        secret,
        max_age=int(accounts.session_ttl.total_seconds()),
        path="/",
        httponly=True,
        samesite="lax",
        secure=accounts.secure_cookies,
    )


@router.post("/login", dependencies=[Depends(public)])
def login(
    body: Login, response: Response, session: SessionDep, accounts: AccountsDep, client: ClientDep
) -> dict[str, Any]:
    """Sign in: sets the HttpOnly session cookie; the same error for any wrong pair."""
    user, secret = sign_in(
        session=session,
        limiter=accounts.limiter,
        email=body.email,
        password=body.password,
        ttl=accounts.session_ttl,
        client=client,
    )
    set_session_cookie(response, accounts, secret)
    return {"user": UserPublic.model_validate(user, from_attributes=True).model_dump(mode="json")}


@router.post("/logout", status_code=204, dependencies=[Depends(public)])
def logout(
    request: Request,
    response: Response,
    session: SessionDep,
    accounts: AccountsDep,
    client: ClientDep,
) -> None:
    """Sign out: the session ends on the server and the cookie is cleared."""
    secret = request.cookies.get(SESSION_COOKIE)
    if secret:
        ended = end_session(session=session, secret=secret)
        if ended is not None:
            audit.record(
                session=session, action="auth.logout", actor=f"user:{ended.user_id}", client=client
            )
        session.commit()
    response.delete_cookie(
        SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=accounts.secure_cookies
    )


@router.get("/me")
def me(principal: Account, session: SessionDep) -> dict[str, Any]:
    """Who the credentials name: role, display name and, for a person, their account."""
    user = None
    if principal.subject.startswith("user:"):
        found = get_user(session=session, user_id=int(principal.subject.removeprefix("user:")))
        user = UserPublic.model_validate(found, from_attributes=True).model_dump(mode="json")
    return {
        "subject": principal.subject,
        "role": principal.role,
        "display_name": principal.display_name,
        "user": user,
    }


@router.post("/password", status_code=204)
def change_password(
    body: PasswordChange,
    principal: Account,
    response: Response,
    session: SessionDep,
    accounts: AccountsDep,
    client: ClientDep,
) -> None:
    """Change my password: every session of mine ends, this browser gets a new one."""
    if not principal.subject.startswith("user:"):
        raise BadRequest("the bootstrap token has no password", details={"subject": "token"})
    user = get_user(session=session, user_id=int(principal.subject.removeprefix("user:")))
    # A stolen session must not become a way to guess the password.
    accounts.limiter.check(user.email, client)
    if not verify_password(body.current_password, user.password_hash):
        accounts.limiter.failed(user.email, client)
        raise InvalidCredentials("the current password is wrong")
    set_password(
        session=session,
        user_id=user.id or 0,
        password=body.new_password,
        actor=principal.subject,
        client=client,
    )
    secret = create_session(session=session, user=user, ttl=accounts.session_ttl, client=client)
    session.commit()
    set_session_cookie(response, accounts, secret)
