"""The registry over HTTP: admins manage robots, people see them without their keys,
and the robot service hears every change with the keys."""

from __future__ import annotations

from tests.utils.robots import ADMIN, OPERATOR, SERVICE, VIEWER, RobotsBackend, peer, service

KEY = "secret-aes-key-of-rex"


def test_crud_and_the_key_never_comes_back(robots: RobotsBackend) -> None:
    created = robots.add_robot(aes_key=KEY, limits={"max_vx": 0.5})
    assert created["has_aes_key"] is True and "aes_key" not in created
    assert created["limits"]["max_vx"] == 0.5 and created["limits"]["max_yaw"] == 1.0
    with robots.http(VIEWER) as viewer:
        listed = viewer.get("/api/robots")
        one = viewer.get(f"/api/robots/{created['id']}")
    assert listed.status_code == 200 and one.status_code == 200
    assert KEY not in listed.text and KEY not in one.text
    with robots.http() as admin:
        renamed = admin.patch(f"/api/robots/{created['id']}", json={"name": "rexi"})
        assert renamed.json()["name"] == "rexi" and renamed.json()["has_aes_key"] is True
        cleared = admin.patch(f"/api/robots/{created['id']}", json={"clear_aes_key": True})
        assert cleared.json()["has_aes_key"] is False
        twin = admin.post("/api/robots", json={"name": "rexi", "model": "g1", "method": "remote"})
        assert twin.status_code == 409 and twin.json()["error"]["code"] == "CONFLICT"
        assert admin.delete(f"/api/robots/{created['id']}").status_code == 204
        gone = admin.get(f"/api/robots/{created['id']}")
        assert gone.status_code == 404
        audit = admin.get("/api/audit").status_code
    assert audit in (200, 404)  # the audit route comes with accounts


def test_only_admins_manage_and_bad_bodies_are_refused(robots: RobotsBackend) -> None:
    body = {"name": "g", "model": "g1", "method": "local_ap"}
    for token, status in ((OPERATOR, 403), (VIEWER, 403), (SERVICE, 403), ("wrong", 401)):
        with robots.http(token) as someone:
            assert someone.post("/api/robots", json=body).status_code == status
    with robots.http() as admin:
        bad = admin.post("/api/robots", json={**body, "model": "spot"})
        assert bad.status_code == 400 or bad.status_code == 422
        fast = admin.post("/api/robots", json={**body, "limits": {"max_vx": 50}})
        assert fast.status_code in (400, 422)


async def test_the_service_gets_keys_people_never_do(robots: RobotsBackend) -> None:
    first = robots.add_robot(aes_key=KEY)
    async with service(robots.url) as svc, peer(robots.url, VIEWER) as viewer:
        configs = await svc.hello()
        assert [(c["id"], c["aes_key"]) for c in configs] == [(first["id"], KEY)]
        listed = await viewer.call("robots_list")
        assert listed["ok"] and KEY not in str(listed)
        assert listed["robots"][0]["status"] == "offline"
        second = robots.add_robot("gina", "g1")
        update = await svc.peer.next("robot_config")
        assert {r["id"] for r in update["robots"]} == {first["id"], second["id"]}
        # A person may not pose as the robot service, nor a service token as a person.
        refused = await viewer.call("service_hello", {"site": "x", "version": "1"})
        assert refused["error"]["code"] == "FORBIDDEN"
        as_person = await svc.peer.call("take_control", {"robot_id": first["id"]})
        assert as_person["error"]["code"] == "FORBIDDEN"
    async with peer(robots.url, ADMIN) as admin:
        # Nor an admin: serving robots takes a token scoped to it.
        hello = await admin.call("service_hello", {"site": "x", "version": "1"})
        assert hello["error"]["code"] == "FORBIDDEN"
    async with peer(robots.url, SERVICE) as unsaid:
        early = await unsaid.call("robot_status", {"robot_id": first["id"], "status": "online"})
        assert early["error"]["code"] == "BAD_REQUEST"  # no service_hello yet
