"""The HTTP dependencies every service's routes declare: who is asking, and may they.

A service keeps its `Authenticator` on `app.state.authenticator`; each route declares
`Depends(require(Action.X))` (or `public` for health probes) and never checks roles
by hand.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Query, Request

from posestudio_core.auth import SESSION_COOKIE, Authenticator, Credentials, Principal, bearer_token
from posestudio_core.permissions import Action, authorize


def from_state(name: str) -> Callable[[Request], Any]:
    """A dependency giving `request.app.state.<name>`; the `Annotated` alias that uses it
    names its type (`Annotated[Settings, Depends(from_state("settings"))]`)."""

    def get(request: Request) -> Any:
        return getattr(request.app.state, name)

    get.__name__ = f"state_{name}"
    return get


def http_credentials(request: Request, query_token: str | None = None) -> Credentials:
    """A request's credentials: the Bearer header (else `?token=`), the session cookie."""
    client = request.client.host if request.client else None
    return Credentials(
        token=bearer_token(request.headers.get("authorization")) or query_token,
        session=request.cookies.get(SESSION_COOKIE),
        client=client,
    )


def principal_of(request: Request, query_token: str | None = None) -> Principal | None:
    """Whoever the request's credentials name, through the app's authenticator."""
    authenticator: Authenticator = request.app.state.authenticator
    return authenticator.authenticate(http_credentials(request, query_token))


class Require:
    """The dependency a route declares for its action; it yields the principal."""

    def __init__(self, action: Action) -> None:
        self.action = action

    def __call__(
        self,
        request: Request,
        token: Annotated[str | None, Query(description="Access token (or a Bearer header)")] = None,
    ) -> Principal:
        return authorize(principal_of(request, token), self.action)

    def __repr__(self) -> str:
        return f"require({self.action.value!r})"


_REQUIRES = {action: Require(action) for action in Action}


def require(action: Action) -> Require:
    """`Depends(require(Action.X))`: the caller's principal, when it may do X."""
    return _REQUIRES[action]


def public() -> None:
    """Declares a route open to everyone (liveness, readiness, the scrape-token metrics)."""
