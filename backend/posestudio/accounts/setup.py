"""First start: while nobody has an account, a one-time code creates the first admin."""

from __future__ import annotations

import hmac
import secrets
import threading

from sqlmodel import Session

from posestudio.accounts.errors import BadSetupCode, SetupDone
from posestudio.accounts.models import User, UserCreate
from posestudio.accounts.users import count_users, create_user


class SetupGate:
    """Holds the process's one-time setup code (printed by `posestudio serve`)."""

    def __init__(self) -> None:
        self.code = secrets.token_urlsafe(18)
        self._lock = threading.Lock()

    def needed(self, *, session: Session) -> bool:
        return count_users(session=session) == 0

    def complete(
        self, *, session: Session, code: str, data: UserCreate, client: str | None
    ) -> User:
        """Create the first admin; the code is spent (later calls get SETUP_DONE)."""
        with self._lock:
            if not self.needed(session=session):
                raise SetupDone("setup is done: sign in instead")
            if not hmac.compare_digest(code.encode(), self.code.encode()):
                raise BadSetupCode("wrong setup code: use the URL `posestudio serve` printed")
            admin = UserCreate.model_validate({**data.model_dump(), "role": "admin"})
            user = create_user(session=session, data=admin, actor="setup", client=client)
            # Spent: nobody can reuse it, even if the admin is deleted again.
            self.code = secrets.token_urlsafe(18)
            return user
