"""The pose backend never imports the agent or the command line that composes them."""

from __future__ import annotations

from tests.utils.imports import imported_with


def test_the_backend_never_imports_the_agent_or_the_cli() -> None:
    modules, found = imported_with("posestudio", ["posestudio_agent", "posestudio_cli"])
    assert modules >= 30
    assert found == []
