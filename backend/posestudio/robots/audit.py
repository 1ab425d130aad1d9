"""Robot commands in the audit log, written in batches.

Drives arrive at 10-20 Hz per robot: one row each would be a write every 50 ms. A
control session is summed up in one row when it ends (commands, clamps, peak speeds);
e-stops, actions and lease changes are rows of their own. Rows wait in memory for at most
`interval_s` and are written in one transaction; an e-stop is written at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from posestudio.accounts.models import AuditEvent
from posestudio.db.database import Database
from posestudio_core.waits import wait_event

log = logging.getLogger(__name__)

MAX_ROWS = 500


class AuditBatch:
    def __init__(self, database: Database, interval_s: float = 1.0) -> None:
        self.database = database
        self.interval_s = interval_s
        self.batches = 0
        self.rows = 0
        self.dropped = 0
        self._pending: list[AuditEvent] = []
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()

    def add(
        self,
        action: str,
        actor: str | None,
        target: str | None,
        details: dict[str, Any] | None = None,
        *,
        now: bool = False,
    ) -> None:
        """Queue one row; `now`: write it (and those waiting) without waiting the interval."""
        if len(self._pending) >= MAX_ROWS:
            # Never more than MAX_ROWS in memory if the database is down; counted.
            self._pending.pop(0)
            self.dropped += 1
        self._pending.append(AuditEvent(action=action, actor=actor, target=target, details=details))
        if now:
            self._wake.set()

    async def flush(self) -> None:
        async with self._lock:
            rows, self._pending = self._pending, []
            if not rows:
                return
            try:
                await asyncio.to_thread(self._write, rows)
            except Exception:
                log.exception("robots: writing %d audit rows failed", len(rows))
                self._pending[:0] = rows[-MAX_ROWS:]
                return
            self.batches += 1
            self.rows += len(rows)

    def _write(self, rows: list[AuditEvent]) -> None:
        with self.database.session() as session:
            session.add_all(rows)
            session.commit()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        while True:
            await wait_event(self._wake, self.interval_s)
            self._wake.clear()
            await self.flush()

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self.flush()
