"""Every sessions route declares one action (read from the app), refuses strangers,
and refuses viewers what only operators may do."""

from __future__ import annotations

from pathlib import Path

import httpx

from posestudio.app import create_app, fastapi_app
from posestudio.runtime import build_runtime
from posestudio.sessions.service import Sessions
from posestudio.settings import Settings
from posestudio_core.auth import Principal
from tests.utils.principals import TokensAuthenticator
from tests.utils.routes import route_actions
from tests.utils.sessions import sessions_backend

VIEWER_TOKEN = "viewer-token-0123456789abcdef"
SESSION = "/api/sessions/{session_id}"
STREAM = SESSION + "/streams/{key}"
EXPECTED = {
    "POST /api/sessions": ["session.record"],
    "GET /api/sessions": ["session.read"],
    f"POST {SESSION}/stop": ["session.record"],
    f"GET {SESSION}": ["session.read"],
    f"PATCH {SESSION}": ["session.record"],
    f"PUT {SESSION}/share": ["session.record"],
    f"DELETE {SESSION}": ["session.delete"],
    f"GET {STREAM}/poses": ["session.read"],
    f"GET {STREAM}/frames/{{index}}": ["session.read"],
    f"GET {STREAM}/frame": ["session.read"],
    f"GET {SESSION}/annotations": ["session.read"],
    f"POST {SESSION}/annotations": ["session.record"],
    f"PATCH {SESSION}/annotations/{{annotation_id}}": ["session.record"],
    f"DELETE {SESSION}/annotations/{{annotation_id}}": ["session.record"],
    f"GET {SESSION}/export.{{fmt}}": ["session.export"],
    f"POST {SESSION}/exports": ["session.export"],
    f"GET {SESSION}/clips": ["session.read"],
    f"GET {SESSION}/analytics": ["session.read"],
    f"GET {SESSION}/events": ["session.read"],
    f"GET {SESSION}/robots/telemetry": ["session.read"],
}


def test_every_sessions_route_declares_one_action(tmp_path: Path) -> None:
    settings = Settings(environment="test", data_dir=tmp_path)
    runtime = build_runtime(
        settings, authenticator=TokensAuthenticator({}), sessions=Sessions(settings)
    )
    app = fastapi_app(create_app(runtime))
    actions = {r: a for r, a in route_actions(app).items() if "/api/sessions" in r}
    assert actions == EXPECTED


def test_strangers_and_viewers_are_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'posestudio.db'}"
    people = TokensAuthenticator({VIEWER_TOKEN: Principal(subject="user:viewer", role="viewer")})
    with sessions_backend(url, tmp_path, authenticator=people) as backend:
        viewer = {"Authorization": f"Bearer {VIEWER_TOKEN}"}
        for route in EXPECTED:
            method, path = route.split(" ")
            path = path.format(session_id="se_x", key="st_x", index=0, annotation_id=1, fmt="csv")
            path += "?ts=0" if path.endswith("/frame") else ""
            stranger = httpx.request(method, backend.url + path, json={})
            assert stranger.status_code == 401, route
            seen = httpx.request(method, backend.url + path, headers=viewer, json={})
            if EXPECTED[route] == ["session.read"]:
                assert seen.status_code in (200, 404), route
            else:
                assert seen.status_code == 403, route
                assert seen.json()["error"]["code"] == "FORBIDDEN"
