"""Every error the backend raises has a code from the one list, with a meaning."""

from __future__ import annotations

from posestudio import errors
from posestudio.accounts import errors as _accounts_errors  # noqa: F401 - their codes count too
from posestudio.protocol import ERROR_MEANINGS, ErrorCode


def _subclasses(cls: type[errors.PoseStudioError]) -> list[type[errors.PoseStudioError]]:
    found = []
    for sub in cls.__subclasses__():
        found += [sub, *_subclasses(sub)]
    return found


def _backend_errors() -> list[type[errors.PoseStudioError]]:
    # The agent's errors share the base but not this wire; leave them out if it is loaded.
    every = [errors.PoseStudioError, *_subclasses(errors.PoseStudioError)]
    return [cls for cls in every if cls.__module__.split(".")[0] != "posestudio_agent"]


def test_every_domain_error_has_a_listed_code() -> None:
    raised = {cls.code for cls in _backend_errors()}
    unlisted = raised - {code.value for code in ErrorCode}
    assert not unlisted, f"add these to protocol/codes.py: {sorted(unlisted)}"
    assert "UNAUTHORIZED" in raised and "INTERNAL" in raised


def test_every_code_has_a_one_line_meaning() -> None:
    assert set(ERROR_MEANINGS) == set(ErrorCode)
    for meaning in ERROR_MEANINGS.values():
        assert meaning and "\n" not in meaning
