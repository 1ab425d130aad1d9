"""docker/*.Dockerfile and .dockerignore: hadolint, and what the images promise."""

from __future__ import annotations

import fnmatch
import re
from pathlib import Path

import pytest

from tests.deploy.helpers import REPO, run, tool

DOCKERFILES = sorted((REPO / "docker").glob("*.Dockerfile"))


def instructions(path: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n", " ", path.read_text())
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            out.append((keyword.upper(), rest.strip()))
    return out


def test_there_are_a_backend_an_agent_and_a_robot_image() -> None:
    names = [p.name for p in DOCKERFILES]
    assert names == ["agent.Dockerfile", "backend.Dockerfile", "robot.Dockerfile"]


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda p: p.name)
def test_hadolint_passes(dockerfile: Path) -> None:
    result = run([tool("hadolint"), "--failure-threshold", "info", str(dockerfile)])
    assert result.returncode == 0, result.stdout + result.stderr


def test_hadolint_catches_a_bad_dockerfile(tmp_path: Path) -> None:
    bad = tmp_path / "bad.Dockerfile"
    bad.write_text("FROM ubuntu:latest\nRUN apt-get update && apt-get install curl\n")
    result = run([tool("hadolint"), str(bad)])
    assert result.returncode != 0
    assert "DL3007" in result.stdout  # latest tag


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda p: p.name)
def test_images_run_as_a_non_root_user_and_install_from_the_lock(dockerfile: Path) -> None:
    steps = instructions(dockerfile)
    users = [args for keyword, args in steps if keyword == "USER"]
    assert users, "no USER: the image would run as root"
    assert users[-1].split(":")[0] not in ("0", "root")
    syncs = [args for keyword, args in steps if keyword == "RUN" and "uv sync" in args]
    assert syncs, "dependencies do not come from uv.lock"
    for args in syncs:
        assert "--frozen" in args and "--no-dev" in args, args
    # Dependencies are a layer of their own, before the sources are copied.
    copies = [args for keyword, args in steps if keyword == "COPY"]
    lock_copy = next(i for i, a in enumerate(copies) if "uv.lock" in a)
    source_copy = next(i for i, a in enumerate(copies) if a.startswith("backend/"))
    assert lock_copy < source_copy


def test_backend_image_is_cuda_based_serves_the_studio_and_checks_ready() -> None:
    steps = instructions(REPO / "docker" / "backend.Dockerfile")
    args = dict(a.split("=", 1) for k, a in steps if k == "ARG" and "=" in a)
    assert re.fullmatch(r"nvidia/cuda:[\d.]+-\S*runtime\S*", args["BASE_IMAGE"])
    froms = [a for k, a in steps if k == "FROM"]
    assert "${BASE_IMAGE} AS runtime" in froms, "the CPU build argument must select the base"
    assert any(a == "--from=studio /src/dist /app/studio" for k, a in steps if k == "COPY")
    assert any("npm ci" in a for k, a in steps if k == "RUN")
    env = " ".join(a for k, a in steps if k == "ENV")
    assert "POSE_STUDIO_FRONTEND_DIR=/app/studio" in env
    assert "POSE_STUDIO_HOST=0.0.0.0" in env
    syncs = " ".join(a for k, a in steps if k == "RUN" and "uv sync" in a)
    assert "--extra pose" in syncs
    (check,) = [a for k, a in steps if k == "HEALTHCHECK"]
    assert "/ready" in check
    start = re.search(r"--start-period=(\d+)s", check)
    assert start and int(start.group(1)) >= 60, "engine warm-up needs a long start period"
    # Nothing is fetched when the container starts: no download in the command.
    (cmd,) = [a for k, a in steps if k == "CMD"]
    assert cmd == '["posestudio", "serve"]'


def test_backend_image_carries_the_blazepose_engine_on_one_cuda_torch_build() -> None:
    steps = instructions(REPO / "docker" / "backend.Dockerfile")
    args = dict(a.split("=", 1) for k, a in steps if k == "ARG" and "=" in a)
    # One build, pinned: PyPI's torch wheels for Linux are the CUDA build.
    assert re.fullmatch(r"\d+\.\d+\.\d+", args["TORCH_VERSION"])
    assert re.fullmatch(r"\d+\.\d+\.\d+", args["TORCHVISION_VERSION"])
    assert args["TORCH_INDEX"] == "https://pypi.org/simple"
    runs = [a for k, a in steps if k == "RUN"]
    (torch,) = [i for i, a in enumerate(runs) if "uv pip install" in a]
    assert '"torch==${TORCH_VERSION}"' in runs[torch]
    assert '"torchvision==${TORCHVISION_VERSION}"' in runs[torch]
    syncs = [i for i, a in enumerate(runs) if "uv sync" in a]
    assert all("--extra blazepose" in runs[i] for i in syncs)
    # A plain `uv sync` removes what the lock does not name: every sync after torch's
    # install must leave it in place.
    after = [i for i in syncs if i > torch]
    assert after and all("--inexact" in runs[i] for i in after)


def test_agent_image_installs_no_pose_engine() -> None:
    steps = instructions(REPO / "docker" / "agent.Dockerfile")
    syncs = [a for k, a in steps if k == "RUN" and "uv sync" in a]
    assert all("--extra agent" in a and "pose" not in a and "--all-extras" not in a for a in syncs)
    (check,) = [a for k, a in steps if k == "HEALTHCHECK"]
    assert "/agent/health" in check
    # What that install really resolves to, from the lock.
    exported = run(
        [
            str(REPO / ".tools" / "bin" / "uv"),
            "export",
            "--frozen",
            "--no-dev",
            "--extra",
            "agent",
            "--no-hashes",
            "--no-emit-project",
        ],
        cwd=REPO,
    )
    assert exported.returncode == 0, exported.stderr
    packages = {
        line.split("==")[0].strip().lower()
        for line in exported.stdout.splitlines()
        if "==" in line and not line.startswith("#")
    }
    assert {"rq", "redis", "langchain"} <= packages
    heavy = {"mediapipe", "torch", "opencv-contrib-python", "opencv-python", "jax", "jaxlib"}
    assert not packages & heavy


def _dockerignore_excludes(path: str, rules: list[str]) -> bool:
    excluded = False
    for rule in rules:
        negate = rule.startswith("!")
        pattern = rule.lstrip("!").rstrip("/")
        if fnmatch.fnmatch(path, pattern) or fnmatch.fnmatch(path, pattern + "/*"):
            excluded = not negate
    return excluded


def test_dockerignore_sends_the_sources_and_nothing_built_or_secret() -> None:
    rules = [
        line.strip()
        for line in (REPO / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    for dockerfile in DOCKERFILES:
        for keyword, args in instructions(dockerfile):
            if keyword == "COPY" and not args.startswith("--from"):
                for source in args.split()[:-1]:
                    assert not _dockerignore_excludes(source.rstrip("/"), rules), source
    for path in (
        ".env",
        ".venv/bin/python",
        "frontend_build/dist/index.html",
        "frontend_build/node_modules/x/index.js",
        "data/token",
        ".git/config",
        "backend/posestudio/__pycache__/app.cpython-311.pyc",
    ):
        assert _dockerignore_excludes(path, rules), path
