from __future__ import annotations

import pytest

from posestudio_core import errors


@pytest.mark.parametrize(
    ("error", "code", "status"),
    [
        (errors.BadRequest, "BAD_REQUEST", 400),
        (errors.Unauthorized, "UNAUTHORIZED", 401),
        (errors.Forbidden, "FORBIDDEN", 403),
        (errors.NotFound, "NOT_FOUND", 404),
        (errors.Conflict, "CONFLICT", 409),
        (errors.RateLimited, "RATE_LIMITED", 429),
    ],
)
def test_each_error_has_its_code_and_status(
    error: type[errors.PoseStudioError], code: str, status: int
) -> None:
    assert (error.code, error.http_status) == (code, status)
    assert error("nope").to_wire() == {"code": code, "message": "nope"}


def test_wire_form_carries_the_stream_and_details() -> None:
    error = errors.NotFound("no such stream", details={"stream_id": "a"})
    assert error.to_wire("a") == {
        "code": "NOT_FOUND",
        "message": "no such stream",
        "stream_id": "a",
        "details": {"stream_id": "a"},
    }
