"""First start: whether setup is needed, and creating the first admin with the code."""

from __future__ import annotations

from importlib import resources
from typing import Any

from fastapi import APIRouter, Depends, Response
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from posestudio.accounts.deps import AccountsDep, ClientDep
from posestudio.accounts.models import DisplayName, Email, Password, UserCreate, UserPublic
from posestudio.accounts.sessions import create_session
from posestudio.api.auth import set_session_cookie
from posestudio.db.session import SessionDep
from posestudio.deps import SettingsDep
from posestudio_core.deps import public

router = APIRouter(prefix="/api/setup", tags=["setup"])


class Setup(BaseModel):
    code: str = Field(max_length=64)
    email: Email
    password: Password
    display_name: DisplayName


@router.get("", dependencies=[Depends(public)])
def setup_status(session: SessionDep, accounts: AccountsDep) -> dict[str, bool]:
    """Whether the first admin still has to be created."""
    return {"needed": accounts.setup.needed(session=session)}


@router.post("", status_code=201, dependencies=[Depends(public)])
def complete_setup(
    body: Setup, response: Response, session: SessionDep, accounts: AccountsDep, client: ClientDep
) -> dict[str, Any]:
    """Create the first admin with the one-time code, and sign them in."""
    data = UserCreate(email=body.email, password=body.password, display_name=body.display_name)
    user = accounts.setup.complete(session=session, code=body.code, data=data, client=client)
    secret = create_session(session=session, user=user, ttl=accounts.session_ttl, client=client)
    session.commit()
    set_session_cookie(response, accounts, secret)
    return {"user": UserPublic.model_validate(user, from_attributes=True).model_dump(mode="json")}


page_router = APIRouter(tags=["setup"])


@page_router.get(
    "/setup", response_class=HTMLResponse, include_in_schema=False, dependencies=[Depends(public)]
)
def setup_page(settings: SettingsDep) -> HTMLResponse:
    """The first-admin page (`?code=` from `posestudio serve`): the studio's, when it is built
    (it moves the code into its own `#/setup` route), else a plain page without the studio."""
    if settings.frontend_available:
        page = (settings.frontend_dir / "index.html").read_text()
    else:
        page = resources.files("posestudio.accounts").joinpath("setup_page.html").read_text()
    # The code stays in the address bar only until the admin exists; not for referrers.
    return HTMLResponse(
        page, headers={"Referrer-Policy": "no-referrer", "Cache-Control": "no-store"}
    )
