"""What each image installs, installed here: the Dockerfile's own `uv sync` flags into
a tmp virtual environment (from uv's cache), then the commands the image runs."""

from __future__ import annotations

import os
import re
import shlex
from pathlib import Path

import pytest

from tests.deploy.docker.test_images import instructions
from tests.deploy.helpers import REPO, run

UV = REPO / ".tools" / "bin" / "uv"

pytestmark = pytest.mark.slow


def _install_like(dockerfile: str, venv: Path) -> Path:
    (sync,) = [
        args
        for keyword, args in instructions(REPO / "docker" / dockerfile)
        if keyword == "RUN" and "uv sync" in args and "--no-install-project" not in args
    ]
    flags = shlex.split(sync.split("uv sync", 1)[1])
    env = {
        **os.environ,
        "UV_PROJECT_ENVIRONMENT": str(venv),
        "UV_PYTHON_DOWNLOADS": "never",
    }
    result = run([str(UV), "sync", *flags, "--python", "python3.11"], cwd=REPO, env=env)
    assert result.returncode == 0, result.stderr
    return venv / "bin"


def test_the_agent_image_runs_its_api_and_worker_without_the_pose_engine(tmp_path: Path) -> None:
    bin_dir = _install_like("agent.Dockerfile", tmp_path / "venv")
    for command in (["agent", "serve", "--help"], ["agent", "worker", "--help"]):
        result = run([str(bin_dir / "posestudio"), *command])
        assert result.returncode == 0, result.stdout + result.stderr
    # The worker's compose healthcheck imports redis.
    assert run([str(bin_dir / "python"), "-c", "import redis, rq"]).returncode == 0
    for heavy in ("mediapipe", "cv2", "torch"):
        assert run([str(bin_dir / "python"), "-c", f"import {heavy}"]).returncode != 0, heavy


def test_the_backend_image_loads_its_engine_offline_and_finds_the_studio(tmp_path: Path) -> None:
    bin_dir = _install_like("backend.Dockerfile", tmp_path / "venv")
    studio = tmp_path / "studio"
    studio.mkdir()
    (studio / "index.html").write_text("<!doctype html>")
    env_lines = " ".join(
        a for k, a in instructions(REPO / "docker" / "backend.Dockerfile") if k == "ENV"
    )
    image_env = dict(re.findall(r"(POSE_STUDIO_\w+)=(\S+)", env_lines))
    env = {
        "PATH": f"{bin_dir}:{os.environ['PATH']}",
        "HOME": str(tmp_path),
        **image_env,
        "POSE_STUDIO_DATA_DIR": str(tmp_path / "data"),
        "POSE_STUDIO_FRONTEND_DIR": str(studio),
        # No network: MediaPipe must not download a model at run time.
        "HTTPS_PROXY": "http://127.0.0.1:9",
        "HTTP_PROXY": "http://127.0.0.1:9",
    }
    # The compose `worker` runs the backend's jobs from this image; its healthcheck imports redis.
    worker = run([str(bin_dir / "posestudio"), "worker", "--help"], cwd=tmp_path, env=env)
    assert worker.returncode == 0, worker.stdout + worker.stderr
    assert run([str(bin_dir / "python"), "-c", "import redis, rq"]).returncode == 0
    engines = run([str(bin_dir / "posestudio"), "engines"], cwd=tmp_path, env=env)
    assert engines.returncode == 0, engines.stdout + engines.stderr
    assert "mediapipe" in engines.stdout and "ok" in engines.stdout
    settings = run(
        [
            str(bin_dir / "python"),
            "-c",
            "from posestudio.settings import Settings; s = Settings(); "
            "print(s.host, s.port, s.frontend_available)",
        ],
        cwd=tmp_path,
        env=env,
    )
    assert settings.stdout.split() == ["0.0.0.0", "8000", "True"], settings.stderr
