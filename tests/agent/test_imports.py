"""The agent service stands on the shared core alone: it never imports the pose backend
or the command line that composes them."""

from __future__ import annotations

from tests.utils.imports import imported_with


def test_the_agent_never_imports_the_backend() -> None:
    modules, found = imported_with("posestudio_agent", ["posestudio", "posestudio_cli"])
    assert modules >= 10
    assert found == []
