"""The pose backend never imports the agent, the robot service (whose client package patches
aiortc process-wide) or the command line that composes them."""

from __future__ import annotations

from tests.utils.imports import imported_with


def test_the_backend_never_imports_the_agent_the_robot_service_or_the_cli() -> None:
    others = ["posestudio_agent", "posestudio_cli", "posestudio_robot", "unitree_webrtc_connect"]
    modules, found = imported_with("posestudio", others)
    assert modules >= 30
    assert found == []
