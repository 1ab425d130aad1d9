"""The accounts part of a backend: database, authenticator, limiter, setup gate, routes."""

from __future__ import annotations

from datetime import timedelta

from fastapi import FastAPI

from posestudio.accounts.authenticator import DbAuthenticator
from posestudio.accounts.csrf import OriginCheck
from posestudio.accounts.ratelimit import SignInLimiter
from posestudio.accounts.setup import SetupGate
from posestudio.db.database import Database
from posestudio.pairing.book import PairingBook
from posestudio.settings import Settings


class Accounts:
    """Built once per process; `create_app` installs it, its lifespan migrates."""

    def __init__(
        self, settings: Settings, *, bootstrap_token: str | None, database: Database | None = None
    ) -> None:
        self.settings = settings
        self.database = database or Database(settings.resolved_database_url)
        self.pairing = PairingBook(
            code_seconds=settings.pairing_code_seconds,
            token_hours=settings.pairing_token_hours,
            claim_failures_per_minute=settings.pairing_claim_failures_per_minute,
        )
        self.authenticator = DbAuthenticator(
            self.database, bootstrap_token=bootstrap_token, pairing=self.pairing
        )
        self.limiter = SignInLimiter(
            per_account=settings.login_failures_per_account,
            per_client=settings.login_failures_per_client,
            window_s=settings.login_window_seconds,
        )
        self.setup = SetupGate()
        self.session_ttl = timedelta(hours=settings.session_hours)
        # Cookies over plain http only where the studio runs on loopback (dev, tests).
        self.secure_cookies = settings.environment not in ("development", "test")

    def start(self) -> None:
        """Migrate the database to the newest revision (blocking: run it off the loop)."""
        self.database.upgrade_at_start()

    def needs_setup(self) -> bool:
        with self.database.session() as session:
            return self.setup.needed(session=session)

    def install(self, app: FastAPI) -> None:
        """The accounts' routes and CSRF check on `app` (before the studio's mount)."""
        from posestudio.api import audit, auth, pairing, setup, sharing, tokens, users

        app.state.accounts = self
        app.state.database = self.database
        app.add_middleware(OriginCheck, trusted_origins=self.settings.cors_origins)
        for module in (auth, setup, users, tokens, audit, sharing, pairing):
            app.include_router(module.router)
        app.include_router(setup.page_router)

    def close(self) -> None:
        self.database.close()
