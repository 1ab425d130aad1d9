"""The one table of actions, and `authorize` over roles, owners, sharing and scopes."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from posestudio_core.auth import BOOTSTRAP_SUBJECT, ROLES, Principal, Role, role_rank
from posestudio_core.errors import Forbidden, Unauthorized
from posestudio_core.permissions import (
    EXPLICIT_ACTIONS,
    LOWEST_ROLE,
    SHARED_ACTIONS,
    Action,
    allowed,
    authorize,
)


@dataclass(frozen=True)
class Thing:
    owner: str
    shared_with: frozenset[str] = field(default_factory=frozenset)


VIEWER = Principal("user:1", "viewer")
OPERATOR = Principal("user:2", "operator")
ADMIN = Principal("user:3", "admin")


def test_every_action_has_a_lowest_role() -> None:
    assert set(LOWEST_ROLE) == set(Action)


def test_the_table_matches_the_roles_described() -> None:
    viewer = {a for a, r in LOWEST_ROLE.items() if r == "viewer"}
    operator = {a for a, r in LOWEST_ROLE.items() if r == "operator"}
    admin = {a for a, r in LOWEST_ROLE.items() if r == "admin"}
    assert {Action.STREAM_WATCH, Action.SESSION_READ, Action.AGENT_ASK} <= viewer
    assert {
        Action.STREAM_START,
        Action.SESSION_RECORD,
        Action.SESSION_EXPORT,
        Action.CLIP_CREATE,
        Action.ROBOT_CONTROL,
    } <= operator
    assert {
        Action.USERS_MANAGE,
        Action.TOKENS_MANAGE,
        Action.ROBOT_MANAGE,
        Action.SETTINGS_MANAGE,
        Action.AUDIT_READ,
    } <= admin


BY_ROLE = [a for a in Action if a not in EXPLICIT_ACTIONS]


@pytest.mark.parametrize("action", BY_ROLE)
@pytest.mark.parametrize("role", ROLES)
def test_a_role_may_do_what_its_rank_allows(action: Action, role: Role) -> None:
    principal = Principal(f"user:{role}", role)
    expected = role_rank(role) >= role_rank(LOWEST_ROLE[action])
    assert allowed(principal, action) is expected
    if expected:
        assert authorize(principal, action) is principal
    else:
        with pytest.raises(Forbidden) as caught:
            authorize(principal, action)
        assert caught.value.code == "FORBIDDEN"
        assert caught.value.http_status == 403
        assert caught.value.details == {"action": action.value, "role": role}


def test_nobody_is_unauthorized() -> None:
    with pytest.raises(Unauthorized) as caught:
        authorize(None, Action.ENGINES_READ)
    assert caught.value.http_status == 401


@pytest.mark.parametrize("action", BY_ROLE)
def test_owners_always_reach_their_own_resources(action: Action) -> None:
    assert allowed(VIEWER, action, Thing(owner=VIEWER.subject))


def test_others_resources_are_for_admins_unless_shared_for_viewing() -> None:
    stream = Thing(owner="user:9")
    assert not allowed(OPERATOR, Action.STREAM_WATCH, stream)
    assert not allowed(OPERATOR, Action.STREAM_STOP, stream)
    assert allowed(ADMIN, Action.STREAM_STOP, stream)
    shared = Thing(owner="user:9", shared_with=frozenset({VIEWER.subject, OPERATOR.subject}))
    for action in SHARED_ACTIONS:
        assert allowed(VIEWER, action, shared)
    # Sharing lets others view, never act on it.
    assert not allowed(OPERATOR, Action.STREAM_STOP, shared)
    assert not allowed(VIEWER, Action.SESSION_DELETE, shared)


def test_sharing_does_not_lift_a_role_above_its_rank() -> None:
    shared = Thing(owner="user:9", shared_with=frozenset({VIEWER.subject}))
    assert not allowed(VIEWER, Action.SESSION_EXPORT, shared)


def test_scopes_narrow_a_principal_further() -> None:
    pairing = Principal("user:2", "operator", scopes=frozenset({Action.STREAM_START.value}))
    assert allowed(pairing, Action.STREAM_START)
    assert allowed(pairing, Action.CONNECT)
    assert not allowed(pairing, Action.STREAM_READ)
    # Even on its own resources.
    assert not allowed(pairing, Action.STREAM_STOP, Thing(owner="user:2"))
    with pytest.raises(Forbidden):
        authorize(pairing, Action.ENGINES_READ)


def test_scopes_never_raise_a_role() -> None:
    viewer = Principal("user:1", "viewer", scopes=frozenset({Action.USERS_MANAGE.value}))
    assert not allowed(viewer, Action.USERS_MANAGE)


def test_serving_robots_takes_a_token_that_names_it() -> None:
    """No role serves robots by itself: an admin signed in, or an admin's unscoped token,
    is refused; a token scoped to `robot.serve` (with an admin owner) and the install's
    own bootstrap token may. A phone paired with the bootstrap token may not."""
    serve = Action.ROBOT_SERVE
    assert {serve} == EXPLICIT_ACTIONS
    assert not allowed(ADMIN, serve)
    with pytest.raises(Forbidden):
        authorize(ADMIN, serve)
    assert allowed(Principal("user:3", "admin", scopes=frozenset({serve.value})), serve)
    assert not allowed(Principal("user:2", "operator", scopes=frozenset({serve.value})), serve)
    assert allowed(Principal(BOOTSTRAP_SUBJECT, "admin"), serve)
    phone = Principal(BOOTSTRAP_SUBJECT, "admin", scopes=frozenset({"stream.start"}))
    assert not allowed(phone, serve)
    # Not even for a resource the principal owns.
    assert not allowed(ADMIN, serve, Thing(owner=ADMIN.subject))
