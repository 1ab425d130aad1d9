"""Sharing a live stream: the owner names people by email; they list and watch it."""

from __future__ import annotations

import httpx

from posestudio.client import PoseClient
from tests.utils.accounts import AccountsBackend, api, served_accounts
from tests.utils.frames import next_event, send_and_wait, video_jpegs

__all__ = ["api", "served_accounts"]


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _listed(api: AccountsBackend, token: str) -> list[dict[str, object]]:
    with httpx.Client(base_url=api.url, headers=_bearer(token), timeout=30) as client:
        streams: list[dict[str, object]] = client.get("/api/streams").json()["streams"]
    return streams


def _share(api: AccountsBackend, token: str, stream: str, emails: list[str]) -> httpx.Response:
    with httpx.Client(base_url=api.url, headers=_bearer(token), timeout=30) as client:
        return client.put(f"/api/streams/{stream}/share", json={"with": emails})


async def test_a_shared_stream_is_listed_and_watched_by_whom_it_is_shared_with(
    api: AccountsBackend,
) -> None:
    operator = api.make_user("operator")
    viewer = api.make_user("viewer")
    other = api.make_user("viewer")
    operator_token = api.token_for(operator["email"])
    viewer_token = api.token_for(viewer["email"])
    other_token = api.token_for(other["email"])
    jpegs = video_jpegs(320, 240)[:4]
    async with (
        PoseClient(api.url, operator_token) as owner,
        PoseClient(api.url, viewer_token) as watcher,
        PoseClient(api.url, other_token) as stranger,
    ):
        stream = (await owner.start("cam"))["id"]
        # Not shared yet: the viewer neither lists it nor may watch it.
        assert _listed(api, viewer_token) == []
        refused = await watcher.call_raw("watch", {"stream": stream})
        assert (refused["ok"], refused["error"]["code"]) == (False, "FORBIDDEN")

        shared = _share(api, operator_token, stream, [viewer["email"].upper()])
        assert shared.status_code == 200, shared.text
        assert shared.json() == {"id": stream, "shared_with": [viewer["email"]]}

        listed = _listed(api, viewer_token)
        assert [(s["id"], s["shared"], s["owner"]) for s in listed] == [(stream, True, "Operator")]
        mine = _listed(api, operator_token)
        assert [(s["id"], s["shared"]) for s in mine] == [(stream, False)]
        assert _listed(api, other_token) == []

        ack = await watcher.call_raw("watch", {"stream": stream})
        assert ack["ok"] is True, ack
        sent = [(await send_and_wait(owner, "cam", jpeg)).data for jpeg in jpegs]
        seen = [(await next_event(watcher, "pose")).data for _ in jpegs]
        assert seen == sent
        assert all(pose["persons"] for pose in seen)

        # Someone it was not shared with is still refused.
        refused = await stranger.call_raw("watch", {"stream": stream})
        assert (refused["ok"], refused["error"]["code"]) == (False, "FORBIDDEN")


async def test_only_the_owner_shares_and_unknown_emails_change_nothing(
    api: AccountsBackend,
) -> None:
    operator = api.make_user("operator")
    other_operator = api.make_user("operator")
    viewer = api.make_user("viewer")
    operator_token = api.token_for(operator["email"])
    async with PoseClient(api.url, operator_token) as owner:
        stream = (await owner.start("cam"))["id"]
        assert _share(api, operator_token, stream, [viewer["email"]]).status_code == 200

        unknown = _share(api, operator_token, stream, ["nobody@example.com", viewer["email"]])
        assert unknown.status_code == 404
        assert unknown.json()["error"]["code"] == "UNKNOWN_USER"
        assert unknown.json()["error"]["details"] == {"emails": ["nobody@example.com"]}
        viewer_token = api.token_for(viewer["email"])
        assert [s["id"] for s in _listed(api, viewer_token)] == [stream]

        # A viewer may not share at all; another operator's stream is as absent as none.
        refused = _share(api, viewer_token, stream, [viewer["email"]])
        assert (refused.status_code, refused.json()["error"]["code"]) == (403, "FORBIDDEN")
        other_token = api.token_for(other_operator["email"])
        hidden = _share(api, other_token, stream, [other_operator["email"]])
        assert (hidden.status_code, hidden.json()["error"]["code"]) == (404, "NOT_FOUND")
        bad = _share(api, operator_token, stream, ["x"])
        assert bad.status_code == 422

        # An empty list stops sharing.
        assert _share(api, operator_token, stream, []).status_code == 200
        assert _listed(api, viewer_token) == []

        # The bootstrap admin lists everyone's streams and may share any.
        with api.admin() as admin:
            everything = admin.get("/api/streams").json()["streams"]
            assert [(s["id"], s["shared"]) for s in everything] == [(stream, False)]
            assert (
                admin.put(
                    f"/api/streams/{stream}/share", json={"with": [viewer["email"]]}
                ).status_code
                == 200
            )
        assert [s["id"] for s in _listed(api, viewer_token)] == [stream]
