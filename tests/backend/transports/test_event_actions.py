"""Every Socket.IO event handler of the real app declares the action it authorizes.

The handlers are read from the namespaces registered on the running app (each
namespace object's `on_*` methods and the events other parts added), not listed here.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import socketio

from posestudio.accounts.service import Accounts
from posestudio.app import create_app, fastapi_app
from posestudio.engines import default_registry
from posestudio.robots.service import Robots
from posestudio.runtime import Runtime, build_runtime
from posestudio.sessions.service import Sessions
from posestudio.settings import Settings
from posestudio.transports.socketio import PoseNamespace
from posestudio_core.permissions import Action
from tests.utils.accounts import BOOTSTRAP_TOKEN, AccountsBackend
from tests.utils.servers import uvicorn_server

TOKEN = BOOTSTRAP_TOKEN


@pytest.fixture(scope="module")
def served(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[str, Runtime, AccountsBackend]]:
    data = tmp_path_factory.mktemp("events")
    settings = Settings(
        environment="test",
        token=TOKEN,
        data_dir=data,
        database_url=f"sqlite:///{Path(data) / 'posestudio.db'}",
    )
    accounts = Accounts(settings, bootstrap_token=TOKEN)
    runtime = build_runtime(
        settings,
        authenticator=accounts.authenticator,
        registry=default_registry(settings.engines, max_idle=0),
        accounts=accounts,
        sessions=Sessions(settings, database=accounts.database),
        robots=Robots(settings, database=accounts.database),
    )
    app = create_app(runtime)
    with uvicorn_server(app) as url:
        yield url, runtime, AccountsBackend(url, accounts, fastapi_app(app))


def handlers(namespace: Any) -> set[str]:
    found = {name.removeprefix("on_") for name in dir(namespace) if name.startswith("on_")}
    return found | set(getattr(namespace, "added_events", ()))


def test_every_event_handler_declares_its_action(
    served: tuple[str, Runtime, AccountsBackend],
) -> None:
    _, runtime, _ = served
    namespaces = runtime.sio.namespace_handlers
    assert {"/pose", "/robots"} <= set(namespaces)
    assert isinstance(namespaces["/pose"], PoseNamespace)
    assert handlers(namespaces["/pose"]) >= {"connect", "start", "stop", "frame", "watch", "record"}
    assert handlers(namespaces["/robots"]) >= {"service_hello", "drive", "estop"}
    for name, namespace in namespaces.items():
        assert callable(getattr(namespace, "event_actions", None)), f"{name}: actions unread"
        declared = namespace.event_actions()
        events = handlers(namespace)
        assert events == set(declared), f"{name}: undeclared {events - set(declared)}"
        for event, action in declared.items():
            assert (action is None and event == "disconnect") or isinstance(action, Action)


def test_a_new_handler_without_an_action_is_caught(
    served: tuple[str, Runtime, AccountsBackend],
) -> None:
    _, runtime, _ = served
    namespace = runtime.sio.namespace_handlers["/pose"]

    class Extended(PoseNamespace):
        async def on_shutdown_everything(self, sid: str) -> None: ...

    extended = Extended.__new__(Extended)
    extended._events = namespace._events
    assert handlers(extended) - set(extended.event_actions()) == {"shutdown_everything"}


async def test_a_connection_without_credentials_is_refused(
    served: tuple[str, Runtime, AccountsBackend],
) -> None:
    url, _, _ = served
    client = socketio.AsyncClient(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        await client.connect(url, namespaces=["/pose"], transports=["websocket"], wait_timeout=5)
    await client.disconnect()


async def connected(url: str, token: str) -> socketio.AsyncClient:
    client = socketio.AsyncClient(reconnection=False)
    await client.connect(
        url, namespaces=["/pose"], transports=["websocket"], auth={"token": token}, wait_timeout=5
    )
    return client


async def test_roles_below_an_events_action_are_refused_and_its_role_is_allowed(
    served: tuple[str, Runtime, AccountsBackend],
) -> None:
    url, runtime, api = served
    declared = runtime.sio.namespace_handlers["/pose"].event_actions()
    viewer = api.token_for(api.make_user("viewer")["email"])
    operator = api.token_for(api.make_user("operator")["email"])
    # Events that authorize before they look anything up, with a well-formed payload.
    calls: dict[str, dict[str, Any]] = {
        "start": {"stream_id": "cam0", "engine": "mediapipe"},
        "calibrate": {"stream_id": "cam0"},
        "record": {"stream_id": "cam0"},
    }
    as_viewer = await connected(url, viewer)
    try:
        for event, payload in calls.items():
            assert declared[event] in (Action.STREAM_START, Action.SESSION_RECORD)
            ack = await as_viewer.call(event, payload, namespace="/pose", timeout=10)
            assert ack["ok"] is False and ack["error"]["code"] == "FORBIDDEN", (event, ack)
    finally:
        await as_viewer.disconnect()
    as_operator = await connected(url, operator)
    try:
        started = await as_operator.call("start", calls["start"], namespace="/pose", timeout=60)
        assert started["ok"] is True, started
        stopped = await as_operator.call(
            "stop", {"stream_id": "cam0"}, namespace="/pose", timeout=30
        )
        assert stopped["ok"] is True, stopped
    finally:
        await as_operator.disconnect()
