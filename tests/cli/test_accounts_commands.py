"""`posestudio db`, `users create`, `tokens create` and the setup URL of `serve`, as
real processes over a real database."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from posestudio.accounts.authenticator import DbAuthenticator
from posestudio.db import migrate
from posestudio.db.database import Database
from posestudio_core.auth import Credentials
from tests.utils.accounts import PASSWORD, postgres_database
from tests.utils.processes import clean_environ, posestudio

POSESTUDIO = str(Path(sys.executable).with_name("posestudio"))


@pytest.fixture(params=("sqlite", "postgresql"))
def database_env(request: pytest.FixtureRequest, tmp_path: Path) -> object:
    env = {**clean_environ(), "POSE_STUDIO_DATA_DIR": str(tmp_path / "data")}
    if request.param == "sqlite":
        yield env, f"sqlite:///{(tmp_path / 'data' / 'posestudio.db').resolve()}"
    else:
        with postgres_database() as url:
            yield {**env, "POSE_STUDIO_DATABASE_URL": url}, url


def _run(env: dict[str, str], *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [POSESTUDIO, *args], env=env, input=stdin, capture_output=True, text=True, timeout=120
    )


def test_db_upgrade_current_and_downgrade(database_env: tuple[dict[str, str], str]) -> None:
    env, _ = database_env
    head = migrate.revisions()[-1]
    assert _run(env, "db", "current").stdout.strip() == "base"
    assert _run(env, "db", "upgrade").stdout.strip() == f"database at {head}"
    assert _run(env, "db", "current").stdout.strip() == head
    assert _run(env, "db", "downgrade", "base").stdout.strip() == "database at base"
    assert _run(env, "db", "current").stdout.strip() == "base"


def test_users_create_then_a_token_that_authenticates(
    database_env: tuple[dict[str, str], str],
) -> None:
    env, url = database_env
    made = _run(env, "users", "create", "Ops@Example.com", "--role", "admin", stdin=PASSWORD)
    assert made.returncode == 0, made.stderr
    assert made.stdout.startswith("created admin ops@example.com (user:")
    again = _run(env, "users", "create", "ops@example.com", stdin=PASSWORD)
    weak = _run(env, "users", "create", "weak@example.com", stdin="password1234")
    assert (again.returncode, again.stderr.split(":")[1].strip()) == (2, "EMAIL_TAKEN")
    assert (weak.returncode, weak.stderr.split(":")[1].strip()) == (2, "WEAK_PASSWORD")
    token = _run(
        env, "tokens", "create", "ops@example.com", "--name", "bench", "--role", "operator"
    )
    assert token.returncode == 0, token.stderr
    secret = token.stdout.strip()
    database = Database(url)
    try:
        principal = DbAuthenticator(database, bootstrap_token=None).authenticate(
            Credentials(token=secret)
        )
    finally:
        database.close()
    assert principal is not None and principal.role == "operator"
    assert principal.scopes is None
    scoped = _run(
        env,
        "tokens",
        "create",
        "ops@example.com",
        "--scope",
        "robot.serve",
        "--scope",
        "robot.view",
    )
    assert scoped.returncode == 0, scoped.stderr
    database = Database(url)
    try:
        limited = DbAuthenticator(database, bootstrap_token=None).authenticate(
            Credentials(token=scoped.stdout.strip())
        )
    finally:
        database.close()
    assert limited is not None and limited.scopes == {"robot.serve", "robot.view"}
    nobody = _run(env, "tokens", "create", "nobody@example.com")
    assert (nobody.returncode, nobody.stderr.split(":")[1].strip()) == (2, "UNKNOWN_USER")


def test_serve_prints_the_setup_url_that_creates_the_first_admin(tmp_path: Path) -> None:
    env = {
        "POSE_STUDIO_DATA_DIR": str(tmp_path / "data"),
        "POSE_STUDIO_ENVIRONMENT": "development",
        "POSE_STUDIO_WORKERS": "1",
        "POSE_STUDIO_AGENT_EMBEDDED": "false",
    }
    ready = r"(http://127\.0\.0\.1:\d+)/setup\?code=(\S+)"
    with posestudio(["serve", "--port", "0"], env, tmp_path, ready) as match:
        base, code = match.group(1), match.group(2)
        with httpx.Client(base_url=base, headers={"Origin": base}) as browser:
            assert browser.get("/api/setup").json() == {"needed": True}
            body = {
                "code": code,
                "email": "me@example.com",
                "password": PASSWORD,
                "display_name": "Me",
            }
            created = browser.post("/api/setup", json=body)
            assert created.status_code == 201, created.text
            assert browser.get("/api/auth/me").json()["role"] == "admin"
        # The token this install generated keeps working, as an admin API token.
        token = (tmp_path / "data" / "token").read_text().strip()
        people = httpx.get(f"{base}/api/users", headers={"Authorization": f"Bearer {token}"})
        assert [person["email"] for person in people.json()] == ["me@example.com"]
    assert (tmp_path / "data" / "posestudio.db").is_file()
