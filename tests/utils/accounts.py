"""A real backend with accounts on a loopback port, over a real database, and the
helpers the account tests share (sign in, make people, clean between tests)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import delete

from posestudio.accounts.ratelimit import SignInLimiter
from posestudio.accounts.service import Accounts
from posestudio.accounts.setup import SetupGate
from posestudio.app import create_app, fastapi_app
from posestudio.db.tables import metadata
from posestudio.engines import default_registry
from posestudio.robots.service import Robots
from posestudio.runtime import build_runtime
from posestudio.sessions.service import Sessions
from posestudio.settings import Settings
from posestudio_core.auth import SESSION_COOKIE
from tests.utils.databases import POSTGRES_ADMIN_URL, admin_sql
from tests.utils.servers import uvicorn_server

BOOTSTRAP_TOKEN = "bootstrap-token-0123456789abcdef"
PASSWORD = "violet-tram-under-rain-7"


@dataclass
class AccountsBackend:
    url: str
    accounts: Accounts
    app: FastAPI
    # What httpx checks the server's certificate against (an https backend's CA).
    verify: Any = True

    def client(self, **kwargs: Any) -> httpx.Client:
        """A client that keeps cookies, as a browser on this studio's origin does."""
        headers = {"Origin": self.url, **kwargs.pop("headers", {})}
        return httpx.Client(
            base_url=self.url, headers=headers, timeout=30, verify=self.verify, **kwargs
        )

    def admin(self) -> httpx.Client:
        """A client with the bootstrap token (no cookie, no Origin: a script)."""
        return httpx.Client(
            base_url=self.url,
            headers={"Authorization": f"Bearer {BOOTSTRAP_TOKEN}"},
            timeout=30,
            verify=self.verify,
        )

    def reset(self) -> None:
        """Empty every table and forget sign-in failures: each test starts clean."""
        with self.accounts.database.session() as session:
            for table in reversed(metadata.sorted_tables):
                session.execute(delete(table))
            session.commit()
        settings = self.accounts.settings
        self.accounts.limiter = SignInLimiter(
            per_account=settings.login_failures_per_account,
            per_client=settings.login_failures_per_client,
            window_s=settings.login_window_seconds,
        )
        self.accounts.setup = SetupGate()

    def make_user(self, role: str, email: str | None = None) -> dict[str, Any]:
        email = email or f"{role}-{uuid.uuid4().hex[:8]}@example.com"
        with self.admin() as admin:
            response = admin.post(
                "/api/users",
                json={
                    "email": email,
                    "display_name": role.title(),
                    "role": role,
                    "password": PASSWORD,
                },
            )
        assert response.status_code == 201, response.text
        user: dict[str, Any] = response.json()
        return user

    def signed_in(self, email: str, password: str = PASSWORD) -> httpx.Client:
        """A fresh browser-like client holding the session cookie of a sign-in."""
        with self.client() as login:
            response = login.post("/api/auth/login", json={"email": email, "password": password})
        assert response.status_code == 200, response.text
        return self.client(cookies={SESSION_COOKIE: response.cookies[SESSION_COOKIE]})

    def token_for(self, email: str, role: str | None = None) -> str:
        with self.signed_in(email) as person:
            response = person.post("/api/tokens", json={"name": "test", "role": role})
        assert response.status_code == 201, response.text
        token: str = response.json()["token"]
        return token


@contextmanager
def postgres_database() -> Iterator[str]:
    """A uniquely named PostgreSQL database, dropped afterwards."""
    name = f"posestudio_api_{uuid.uuid4().hex[:12]}"
    admin_sql(f'CREATE DATABASE "{name}"')
    try:
        yield f"{POSTGRES_ADMIN_URL.rsplit('/', 1)[0]}/{name}"
    finally:
        admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def accounts_backend(
    database_url: str,
    *,
    with_sessions: bool = False,
    with_robots: bool = False,
    server_options: dict[str, Any] | None = None,
    **overrides: Any,
) -> Iterator[AccountsBackend]:
    """The real app (accounts installed, migrated at start) on a free loopback port;
    `with_sessions`: the recorded sessions too (stored under `data_dir`); `with_robots`:
    the robots (registry, `/robots`) on the same database;
    `server_options`: uvicorn's (`ssl_certfile` serves https)."""
    settings = Settings(
        environment="test",
        token=BOOTSTRAP_TOKEN,
        database_url=database_url,
        **{"login_failures_per_account": 3, **overrides},
    )
    accounts = Accounts(settings, bootstrap_token=BOOTSTRAP_TOKEN)
    runtime = build_runtime(
        settings,
        authenticator=accounts.authenticator,
        registry=default_registry(settings.engines, max_idle=0),
        accounts=accounts,
        sessions=Sessions(settings) if with_sessions else None,
        robots=Robots(settings, database=accounts.database) if with_robots else None,
    )
    app = create_app(runtime)
    with uvicorn_server(app, **(server_options or {})) as url:
        yield AccountsBackend(url, accounts, fastapi_app(app))


@pytest.fixture(scope="module", params=("sqlite", "postgresql"))
def served_accounts(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[AccountsBackend]:
    """One backend per test module and database kind (SQLite, then PostgreSQL)."""
    overrides = getattr(request.module, "SETTINGS", {})
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('accounts') / 'posestudio.db'}"
        with accounts_backend(url, **overrides) as backend:
            yield backend
    else:
        with postgres_database() as url, accounts_backend(url, **overrides) as backend:
            yield backend


@pytest.fixture
def api(served_accounts: AccountsBackend) -> AccountsBackend:
    """The module's backend, emptied for this test."""
    served_accounts.reset()
    return served_accounts
