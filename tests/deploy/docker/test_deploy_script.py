"""docker/deploy/deploy.sh and write-env.sh, with a fake `docker` and `curl` on PATH.

The fake docker records every call (with the POSE_STUDIO_TAG it was given) and
remembers which tag `compose up` last started; the fake curl answers /ready from
that. Either can be told to fail for one tag, which is how a broken build looks.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.deploy.helpers import REPO, run, tool

DEPLOY = REPO / "docker" / "deploy" / "deploy.sh"
WRITE_ENV = REPO / "docker" / "deploy" / "write-env.sh"
OLD = "a" * 40
NEW = "b" * 40
PUBLIC_URL = "https://staging.pose.example.com"

FAKE_DOCKER = r"""#!/usr/bin/env bash
# Records the call; `compose up` of the whole stack "starts" POSE_STUDIO_TAG.
echo "${POSE_STUDIO_TAG:-} $*" >>"$FAKE_LOG"
case " $* " in
  *" up "*)
    if [ "${POSE_STUDIO_TAG:-}" = "${FAKE_UP_FAILS_FOR:-}" ]; then
      echo "container backend is unhealthy" >&2
      exit 1
    fi
    case " $* " in
      *" --remove-orphans ") echo "$POSE_STUDIO_TAG" >"$FAKE_RUNNING" ;;
    esac
    ;;
esac
exit 0
"""

FAKE_CURL = r"""#!/usr/bin/env bash
# /ready answers 200 unless the running tag is the one told to be unhealthy.
echo "curl $*" >>"$FAKE_LOG"
running=$(cat "$FAKE_RUNNING" 2>/dev/null || true)
[ -n "$running" ] && [ "$running" != "${FAKE_UNHEALTHY:-}" ]
"""


@dataclass
class Host:
    state: Path
    log: Path
    running: Path
    env: dict[str, str]

    def deploy(self, sha: str, **extra: str) -> tuple[int, str]:
        result = run([str(DEPLOY), "staging", sha], env={**self.env, **extra})
        return result.returncode, result.stdout + result.stderr

    def calls(self) -> list[str]:
        return self.log.read_text().splitlines() if self.log.exists() else []

    def deployed(self) -> str | None:
        path = self.state / "deployed_sha"
        return path.read_text().strip() if path.exists() else None


def _executable(path: Path, text: str) -> None:
    path.write_text(text)
    path.chmod(path.stat().st_mode | stat.S_IEXEC)


@pytest.fixture
def host(tmp_path: Path) -> Host:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    _executable(bin_dir / "docker", FAKE_DOCKER)
    _executable(bin_dir / "curl", FAKE_CURL)
    state = tmp_path / "srv" / "staging"
    state.mkdir(parents=True)
    (state / ".env").write_text(f"POSE_STUDIO_PUBLIC_URL='{PUBLIC_URL}'\n")
    log, running = tmp_path / "calls.log", tmp_path / "running"
    env = {
        "PATH": f"{bin_dir}:{os.environ['PATH']}",
        "HOME": str(tmp_path),
        "POSE_STUDIO_STATE_DIR": str(state),
        "HEALTH_ATTEMPTS": "3",
        "HEALTH_INTERVAL": "0",
        "FAKE_LOG": str(log),
        "FAKE_RUNNING": str(running),
    }
    return Host(state=state, log=log, running=running, env=env)


def _deployed_once(host: Host) -> None:
    code, output = host.deploy(OLD)
    assert code == 0, output
    host.log.unlink()


def test_shellcheck_passes_on_the_deploy_scripts() -> None:
    result = run([tool("shellcheck"), str(DEPLOY), str(WRITE_ENV)])
    assert result.returncode == 0, result.stdout


def test_a_healthy_deploy_pulls_migrates_waits_checks_and_records(host: Host) -> None:
    code, output = host.deploy(NEW)
    assert code == 0, output
    calls = host.calls()
    release = host.state / "releases" / NEW
    compose = (
        f"{NEW} compose --project-directory {release} --env-file {release}/docker/env/"
        f"staging.env --env-file {host.state}/.env -f {release}/docker-compose.yml"
    )
    assert calls[:5] == [
        f"{compose} config --quiet",
        f"{compose} pull --quiet",
        f"{compose} up -d --wait --wait-timeout 300 postgres redis",
        f"{compose} run --rm --no-deps backend sh -c if posestudio db upgrade --help >/dev/null "
        '2>&1; then exec posestudio db upgrade; fi; echo "no migrations in this image"',
        f"{compose} up -d --wait --wait-timeout 600 --remove-orphans",
    ]
    assert calls[5].startswith("curl ") and calls[5].endswith(f"{PUBLIC_URL}/ready")
    assert "-fsS" in calls[5].split(), "curl must fail on an HTTP error status"
    assert host.deployed() == NEW
    # The stack runs from its own copy of the configuration, not the checkout.
    assert (release / "docker-compose.yml").read_text() == (REPO / "docker-compose.yml").read_text()
    assert (release / "docker" / "prometheus" / "alerts.yml").is_file()
    assert (release / "docker" / "cloudflared" / "config.yml").is_file()


def test_an_unhealthy_build_is_rolled_back_and_the_run_fails(host: Host) -> None:
    _deployed_once(host)
    code, output = host.deploy(NEW, FAKE_UNHEALTHY=NEW)
    assert code == 1, output
    calls = host.calls()
    curls = [c for c in calls if c.startswith("curl ")]
    assert len(curls) == 3 + 1, "three tries for the new build, one for the rolled-back one"
    ups = [c.split()[0] for c in calls if "--remove-orphans" in c]
    assert ups == [NEW, OLD], "the previous commit is started again"
    old_release = host.state / "releases" / OLD
    assert any(f"--project-directory {old_release} " in c for c in calls if c.startswith(OLD))
    assert host.running.read_text().strip() == OLD
    assert host.deployed() == OLD
    assert f"rolling back to {OLD}" in output
    migrations = [c.split()[0] for c in calls if "posestudio db upgrade" in c]
    assert migrations == [NEW], "the older image does not migrate the newer schema back"


def test_a_stack_that_does_not_come_up_is_rolled_back(host: Host) -> None:
    _deployed_once(host)
    code, output = host.deploy(NEW, FAKE_UP_FAILS_FOR=NEW)
    assert code == 1, output
    curls = [c for c in host.calls() if c.startswith("curl ")]
    assert len(curls) == 1, "only the rolled-back commit reaches the health check"
    assert host.running.read_text().strip() == OLD
    assert host.deployed() == OLD
    assert any(c.startswith(f"{NEW} compose") and " logs " in f" {c} " for c in host.calls())


def test_a_failed_first_deploy_fails_without_a_rollback(host: Host) -> None:
    code, output = host.deploy(NEW, FAKE_UNHEALTHY=NEW)
    assert code == 1
    assert "no previous commit to roll back to" in output
    assert host.deployed() is None


def test_a_failed_rollback_still_fails_the_run(host: Host) -> None:
    _deployed_once(host)
    code, output = host.deploy(NEW, FAKE_UP_FAILS_FOR=NEW, FAKE_UNHEALTHY=OLD)
    assert code == 1
    assert "ROLLBACK TO" in output


def test_redeploying_the_same_commit_keeps_the_previous_one(host: Host) -> None:
    _deployed_once(host)
    assert host.deploy(NEW)[0] == 0
    assert host.deploy(NEW)[0] == 0
    assert (host.state / "previous_sha").read_text().strip() == OLD


def test_a_rollback_by_hand_can_skip_migrations(host: Host) -> None:
    code, output = host.deploy(OLD, MIGRATE="no")
    assert code == 0, output
    assert not [c for c in host.calls() if "posestudio db upgrade" in c]


def test_no_environment_file_means_no_docker_call(host: Host) -> None:
    (host.state / ".env").unlink()
    code, output = host.deploy(NEW)
    assert code == 1 and ".env" in output
    assert host.calls() == []


@pytest.mark.parametrize("args", [["staging"], ["qa", NEW], ["staging", "main; rm -rf /"]])
def test_bad_arguments_are_refused(host: Host, args: list[str]) -> None:
    result = run([str(DEPLOY), *args], env=host.env)
    assert result.returncode == 2
    assert host.calls() == []


SECRETS = {
    "POSE_STUDIO_IMAGE_REPO": "ghcr.io/example/posestudio",
    "POSE_STUDIO_PUBLIC_URL": PUBLIC_URL,
    "POSE_STUDIO_TOKEN": "t" * 32,
    "POSE_STUDIO_METRICS_TOKEN": "m" * 32,
    "POSTGRES_PASSWORD": "pa$$word-with-dollars",
    "GRAFANA_ADMIN_PASSWORD": "g" * 20,
    "CLOUDFLARE_TUNNEL_TOKEN": "eyJhIjoi" + "c" * 40,
}


def test_write_env_writes_literal_values_for_the_owner_only(tmp_path: Path) -> None:
    out = tmp_path / "srv" / ".env"
    result = run([str(WRITE_ENV), str(out)], env={"PATH": os.environ["PATH"], **SECRETS})
    assert result.returncode == 0, result.stderr
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    lines = out.read_text().splitlines()
    assert "POSTGRES_PASSWORD='pa$$word-with-dollars'" in lines
    assert f"POSE_STUDIO_PUBLIC_URL='{PUBLIC_URL}'" in lines
    assert not any(line.startswith("POSE_STUDIO_AGENT_MODEL") for line in lines)


def test_write_env_names_every_missing_secret(tmp_path: Path) -> None:
    env = {"PATH": os.environ["PATH"], **SECRETS}
    del env["POSTGRES_PASSWORD"], env["CLOUDFLARE_TUNNEL_TOKEN"]
    out = tmp_path / ".env"
    result = run([str(WRITE_ENV), str(out)], env=env)
    assert result.returncode == 1
    assert "POSTGRES_PASSWORD CLOUDFLARE_TUNNEL_TOKEN" in result.stderr
    assert not out.exists()


def test_write_env_refuses_a_value_it_cannot_quote(tmp_path: Path) -> None:
    env = {"PATH": os.environ["PATH"], **SECRETS, "GRAFANA_ADMIN_PASSWORD": "it's-a-secret"}
    out = tmp_path / ".env"
    result = run([str(WRITE_ENV), str(out)], env=env)
    assert result.returncode == 1 and "GRAFANA_ADMIN_PASSWORD" in result.stderr
    assert not out.exists() and not list(tmp_path.iterdir())
