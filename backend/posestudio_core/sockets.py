"""Socket.IO connections: their credentials, their principal, and a refusal clients read.

A refused connection raises `ConnectionRefusedError(message, {code, message})`:
Socket.IO clients see `message` as the error's text and `data` as its body.
"""

from __future__ import annotations

from http.cookies import SimpleCookie
from typing import Any

import socketio

from posestudio_core.auth import SESSION_COOKIE, Authenticator, Credentials, Principal
from posestudio_core.errors import PoseStudioError
from posestudio_core.permissions import Action, authorize


def socket_credentials(environ: dict[str, Any], auth: Any) -> Credentials:
    """What a connection presented: `auth.token`, the session cookie, the peer address."""
    token = auth.get("token") if isinstance(auth, dict) else None
    session = None
    cookie_header = environ.get("HTTP_COOKIE")
    if isinstance(cookie_header, str):
        cookies: SimpleCookie = SimpleCookie()
        try:
            cookies.load(cookie_header)
        except Exception:  # a malformed cookie header is no session
            cookies = SimpleCookie()
        morsel = cookies.get(SESSION_COOKIE)
        session = morsel.value if morsel is not None else None
    scope = environ.get("asgi.scope") or {}
    client = scope.get("client")
    return Credentials(
        token=token if isinstance(token, str) else None,
        session=session,
        client=str(client[0]) if client else None,
    )


def refusal(error: PoseStudioError) -> socketio.exceptions.ConnectionRefusedError:
    """The connection refusal for a domain error, carrying `{code, message}`."""
    return socketio.exceptions.ConnectionRefusedError(
        error.message, {"code": error.code, "message": error.message}
    )


def connect_principal(
    authenticator: Authenticator, environ: dict[str, Any], auth: Any, action: Action
) -> Principal:
    """The connecting principal, authorized for `action`; else raises the refusal."""
    credentials = socket_credentials(environ, auth)
    try:
        return authorize(authenticator.authenticate(credentials), action)
    except PoseStudioError as exc:
        raise refusal(exc) from None
