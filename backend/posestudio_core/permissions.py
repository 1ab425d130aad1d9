"""The one table of what each role may do, and the one check every route and event makes.

viewer: watch and read what is shared with them, ask the agent about it.
operator: everything a viewer may, plus stream cameras, record, export, clip, drive robots.
admin: everything, including people, everyone's tokens, robots, settings, the audit log.
Owners always reach their own resources.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Protocol

from posestudio_core.auth import BOOTSTRAP_SUBJECT, Principal, Role, role_rank
from posestudio_core.errors import Forbidden, Unauthorized


class Action(StrEnum):
    # A Socket.IO connection by itself: each event on it is then authorized on its own.
    CONNECT = "connect"
    STREAM_START = "stream.start"
    STREAM_STOP = "stream.stop"
    STREAM_WATCH = "stream.watch"
    STREAM_READ = "stream.read"
    ENGINES_READ = "engines.read"
    SYSTEM_READ = "system.read"
    AGENT_ASK = "agent.ask"
    SESSION_READ = "session.read"
    SESSION_RECORD = "session.record"
    SESSION_EXPORT = "session.export"
    SESSION_DELETE = "session.delete"
    CLIP_CREATE = "clip.create"
    ROBOT_CONTROL = "robot.control"
    # A phone pairing code (which becomes a stream-only token): never within a scope set,
    # so a paired phone cannot mint itself new tokens.
    PAIRING_CREATE = "pairing.create"
    ROBOT_MANAGE = "robot.manage"
    # The robot service's own connection: it receives commands and the robots' secrets.
    ROBOT_SERVE = "robot.serve"
    ROBOT_VIEW = "robot.view"
    # One's own account: display name, password, one's own API tokens.
    ACCOUNT_MANAGE = "account.manage"
    USERS_MANAGE = "users.manage"
    TOKENS_MANAGE = "tokens.manage"
    AUDIT_READ = "audit.read"
    SETTINGS_MANAGE = "settings.manage"


# The lowest role allowed each action.
LOWEST_ROLE: dict[Action, Role] = {
    Action.CONNECT: "viewer",
    Action.STREAM_START: "operator",
    Action.STREAM_STOP: "operator",
    Action.STREAM_WATCH: "viewer",
    Action.STREAM_READ: "viewer",
    Action.ENGINES_READ: "viewer",
    Action.SYSTEM_READ: "viewer",
    Action.AGENT_ASK: "viewer",
    Action.SESSION_READ: "viewer",
    Action.SESSION_RECORD: "operator",
    Action.SESSION_EXPORT: "operator",
    Action.SESSION_DELETE: "operator",
    Action.CLIP_CREATE: "operator",
    Action.ROBOT_CONTROL: "operator",
    Action.PAIRING_CREATE: "operator",
    Action.ROBOT_MANAGE: "admin",
    Action.ROBOT_SERVE: "admin",
    Action.ROBOT_VIEW: "viewer",
    Action.ACCOUNT_MANAGE: "viewer",
    Action.USERS_MANAGE: "admin",
    Action.TOKENS_MANAGE: "admin",
    Action.AUDIT_READ: "admin",
    Action.SETTINGS_MANAGE: "admin",
}

# Actions that a resource's `shared_with` grants to others (with the role for them);
# every other action on someone else's resource is for its owner and admins only.
SHARED_ACTIONS = frozenset(
    {Action.STREAM_WATCH, Action.STREAM_READ, Action.SESSION_READ, Action.AGENT_ASK}
)


class Resource(Protocol):
    """Something a principal owns: a stream, a session, a clip, a token."""

    @property
    def owner(self) -> str:
        """The owner's `Principal.subject`."""
        ...

    @property
    def shared_with(self) -> frozenset[str]:
        """Subjects that may view it (the `SHARED_ACTIONS`)."""
        ...


# Actions a principal's role alone does not allow: its token must name them in its scopes.
# Serving robots receives their secrets and answers for them, so the robot service is a
# credential made for it, never an admin signed in or an admin's unscoped token. The one
# exception is the install's own bootstrap token, which a robot service on the same host
# reads from `data/token`.
EXPLICIT_ACTIONS = frozenset({Action.ROBOT_SERVE})


def _in_scope(principal: Principal, action: Action) -> bool:
    if action in EXPLICIT_ACTIONS:
        if principal.scopes is None:
            return principal.subject == BOOTSTRAP_SUBJECT
        return action in principal.scopes
    # A connection grants nothing by itself, so any scoped principal may open one.
    return principal.scopes is None or action == Action.CONNECT or action in principal.scopes


def allowed(principal: Principal, action: Action, resource: Resource | None = None) -> bool:
    """Whether `principal` may do `action` (to `resource`, when one is named)."""
    if not _in_scope(principal, action):
        return False
    if resource is not None and resource.owner == principal.subject:
        return True
    if role_rank(principal.role) < role_rank(LOWEST_ROLE[action]):
        return False
    if resource is None or principal.role == "admin":
        return True
    return action in SHARED_ACTIONS and principal.subject in resource.shared_with


def authorize(
    principal: Principal | None, action: Action, resource: Resource | None = None
) -> Principal:
    """The principal, when it may do `action`; raises Unauthorized or Forbidden."""
    if principal is None:
        raise Unauthorized("missing or wrong token")
    if not allowed(principal, action, resource):
        raise Forbidden(
            f"not allowed to {action.value}",
            details={"action": action.value, "role": principal.role},
        )
    return principal
