"""Sharing a recorded session: the owner names people by email; they find it in their
list and read it, and may change nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.utils.accounts import AccountsBackend, accounts_backend
from tests.utils.frames import send_and_wait, video_jpegs
from tests.utils.sessions import Recorder


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AccountsBackend]:
    tmp: Path = tmp_path_factory.mktemp("sharing")
    url = f"sqlite:///{tmp / 'posestudio.db'}"
    with accounts_backend(url, with_sessions=True, data_dir=tmp) as backend:
        yield backend


def _client(api: AccountsBackend, token: str) -> httpx.Client:
    return httpx.Client(base_url=api.url, headers={"Authorization": f"Bearer {token}"}, timeout=30)


async def test_a_shared_session_is_listed_and_read_only_for_whom_it_is_shared_with(
    shared: AccountsBackend,
) -> None:
    operator, viewer, other = (shared.make_user(r) for r in ("operator", "viewer", "viewer"))
    owner_token, viewer_token, other_token = (
        shared.token_for(p["email"]) for p in (operator, viewer, other)
    )
    recorder = await Recorder.connect(shared.url, owner_token)
    try:
        await recorder.client.start("cam")
        made = await recorder.record(name="Squats Monday", tags=["squat"], video=True)
        for jpeg in video_jpegs(320, 240)[:3]:
            await send_and_wait(recorder.client, "cam", jpeg)
        session = await recorder.stop_record(made["id"])
    finally:
        await recorder.close()
    sid, key = session["id"], session["streams"][0]["key"]

    with (
        _client(shared, owner_token) as owner,
        _client(shared, viewer_token) as seer,
        _client(shared, other_token) as stranger,
    ):
        assert seer.get("/api/sessions").json()["total"] == 0
        assert seer.get(f"/api/sessions/{sid}").status_code == 404

        unknown = owner.put(f"/api/sessions/{sid}/share", json={"with": ["nobody@example.com"]})
        assert unknown.status_code == 404, unknown.text
        assert unknown.json()["error"]["details"]["emails"] == ["nobody@example.com"]
        done = owner.put(f"/api/sessions/{sid}/share", json={"with": [viewer["email"].upper()]})
        assert done.status_code == 200, done.text
        assert done.json() == {"id": sid, "shared_with": [viewer["email"]]}
        # Only the owner shares it.
        assert seer.put(f"/api/sessions/{sid}/share", json={"with": []}).status_code == 403

        listed = seer.get("/api/sessions").json()
        assert [s["id"] for s in listed["sessions"]] == [sid] and listed["total"] == 1
        assert listed["sessions"][0]["owner"] == f"user:{operator['id']}"
        assert seer.get("/api/sessions", params={"q": "squats mon"}).json()["total"] == 1
        assert seer.get("/api/sessions", params={"q": "lunge"}).json()["total"] == 0
        assert owner.get("/api/sessions", params={"q": "MONDAY"}).json()["total"] == 1
        assert seer.get(f"/api/sessions/{sid}").status_code == 200
        frame = seer.get(f"/api/sessions/{sid}/streams/{key}/frames/0")
        assert frame.status_code == 200 and frame.headers["content-type"] == "image/jpeg"
        poses = seer.get(f"/api/sessions/{sid}/streams/{key}/poses")
        assert len(poses.text.splitlines()) == 3

        # Read-only: no rename, no delete, no export for a viewer.
        assert seer.patch(f"/api/sessions/{sid}", json={"name": "mine"}).status_code == 403
        assert seer.delete(f"/api/sessions/{sid}").status_code == 403
        assert seer.get(f"/api/sessions/{sid}/export.csv").status_code == 403
        # Someone it was not shared with still sees nothing.
        assert stranger.get("/api/sessions").json()["total"] == 0
        assert stranger.get(f"/api/sessions/{sid}").status_code == 404

        assert owner.put(f"/api/sessions/{sid}/share", json={"with": []}).status_code == 200
        assert seer.get("/api/sessions").json()["total"] == 0
        assert seer.get(f"/api/sessions/{sid}").status_code == 404
