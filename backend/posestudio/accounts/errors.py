"""The accounts' domain errors, each with a stable code."""

from __future__ import annotations

from posestudio.errors import BadRequest, Conflict, Forbidden, NotFound, RateLimited, Unauthorized


class EmailTaken(Conflict):
    code = "EMAIL_TAKEN"


class WeakPassword(BadRequest):
    code = "WEAK_PASSWORD"


class InvalidCredentials(Unauthorized):
    """Wrong email or password: the same answer for an unknown email (no enumeration)."""

    code = "INVALID_CREDENTIALS"


class RoleTooHigh(Forbidden):
    """A role above the one asking (a token above its owner's)."""

    code = "ROLE_TOO_HIGH"


class LastAdmin(Conflict):
    """Demoting, disabling or deleting the only active admin would lock everyone out."""

    code = "LAST_ADMIN"


class UnknownUser(NotFound):
    code = "UNKNOWN_USER"


class UnknownToken(NotFound):
    code = "UNKNOWN_TOKEN"


class SetupDone(Conflict):
    code = "SETUP_DONE"


class BadSetupCode(Unauthorized):
    code = "BAD_SETUP_CODE"


class CsrfRefused(Forbidden):
    code = "CSRF_REFUSED"


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
