"""`posestudio engines`, run as a real process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.utils.processes import clean_environ

POSESTUDIO = str(Path(sys.executable).with_name("posestudio"))


def _engines(
    *args: str, env: dict[str, str] | None = None, cwd: Path | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """`posestudio engines ARGS…` to its end."""
    return subprocess.run(
        [POSESTUDIO, "engines", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env=env,
        cwd=cwd,
    )


def test_engines_lists_mediapipe_as_loadable() -> None:
    result = _engines()
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("mediapipe (default)\tcpu\tok")


def test_an_invalid_engine_config_stops_it_with_the_reason(tmp_path: Path) -> None:
    env = {**clean_environ(), "POSE_STUDIO_ENGINE_CONFIG__MEDIAPIPE__MIN_DETECTION_CONFIDENCE": "2"}
    result = _engines(env=env, cwd=tmp_path)
    assert result.returncode == 2
    assert "error: BAD_ENGINE_CONFIG: engine 'mediapipe' config is invalid" in result.stderr
    assert "min_detection_confidence" in result.stderr
    assert "Traceback" not in result.stderr


def test_engines_lists_blazepose_as_loaded_when_enabled(tmp_path: Path) -> None:
    env = {**clean_environ(), "POSE_STUDIO_ENGINES": "mediapipe,blazepose"}
    result = _engines(env=env, cwd=tmp_path, timeout=180)
    assert result.returncode == 0, result.stderr
    assert "blazepose\tcpu\tok\t" in result.stdout


def test_engines_export_refuses_an_engine_without_onnx(tmp_path: Path) -> None:
    result = _engines(
        "export", "mediapipe", "--onnx", str(tmp_path), env=clean_environ(), cwd=tmp_path
    )
    assert result.returncode == 2
    assert "has no ONNX export (only blazepose)" in result.stderr
