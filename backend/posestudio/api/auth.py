"""Browser sign-in: email and password for a session cookie; who am I; sign out."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, Field

from posestudio.accounts import audit
from posestudio.accounts.deps import AccountsDep, ClientDep
from posestudio.accounts.models import UserPublic
from posestudio.accounts.service import Accounts
from posestudio.accounts.sessions import end_session
from posestudio.accounts.signin import sign_in
from posestudio.accounts.users import get_user
from posestudio.db.session import SessionDep
from posestudio_core.auth import SESSION_COOKIE, Principal
from posestudio_core.deps import public, require
from posestudio_core.permissions import Action

router = APIRouter(prefix="/api/auth", tags=["auth"])


class Login(BaseModel):
    email: str = Field(max_length=254)
    password: str = Field(max_length=256)


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
def me(
    principal: Annotated[Principal, Depends(require(Action.ACCOUNT_MANAGE))], session: SessionDep
) -> dict[str, Any]:
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
