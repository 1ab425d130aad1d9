"""The accounts' domain errors, each with a stable code."""

from __future__ import annotations

from posestudio.errors import BadRequest, PoseStudioError, RateLimited, Unauthorized


class EmailTaken(PoseStudioError):
    code = "EMAIL_TAKEN"
    http_status = 409


class WeakPassword(BadRequest):
    code = "WEAK_PASSWORD"


class InvalidCredentials(Unauthorized):
    """Wrong email or password: the same answer for an unknown email (no enumeration)."""

    code = "INVALID_CREDENTIALS"


class RoleTooHigh(PoseStudioError):
    """A role above the one asking (a token above its owner, a user above their maker)."""

    code = "ROLE_TOO_HIGH"
    http_status = 403


class LastAdmin(PoseStudioError):
    """Demoting, disabling or deleting the only active admin would lock everyone out."""

    code = "LAST_ADMIN"
    http_status = 409


class UnknownUser(PoseStudioError):
    code = "UNKNOWN_USER"
    http_status = 404


class UnknownToken(PoseStudioError):
    code = "UNKNOWN_TOKEN"
    http_status = 404


class SetupDone(PoseStudioError):
    code = "SETUP_DONE"
    http_status = 409


class BadSetupCode(Unauthorized):
    code = "BAD_SETUP_CODE"


class CsrfRefused(PoseStudioError):
    code = "CSRF_REFUSED"
    http_status = 403


__all__ = [
    "BadSetupCode",
    "CsrfRefused",
    "EmailTaken",
    "InvalidCredentials",
    "LastAdmin",
    "RateLimited",
    "RoleTooHigh",
    "SetupDone",
    "UnknownToken",
    "UnknownUser",
    "WeakPassword",
]
