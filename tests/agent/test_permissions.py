"""Every agent route declares its action (read from the app)."""

from __future__ import annotations

from collections.abc import Callable

from posestudio_agent.app import fastapi_app
from posestudio_agent.service import build_service
from posestudio_agent.settings import AgentSettings
from tests.agent.conftest import TOKEN
from tests.utils.routes import route_actions


def test_every_route_declares_one_action(make_settings: Callable[..., AgentSettings]) -> None:
    actions = route_actions(fastapi_app(build_service(make_settings(), TOKEN)))
    assert actions == {
        "POST /agent/invoke": ["agent.ask"],
        "GET /agent/result/{request_id}": ["agent.ask"],
        "GET /agent/health": ["public"],
        "GET /agent/metrics": ["public"],
    }
