"""Robot commands in the audit log, written in batches.

Drives arrive at 10-20 Hz per robot: one row each would be a write every 50 ms. A
control session is summed up in one row when it ends (commands, clamps, peak speeds);
e-stops, actions and lease changes are rows of their own. Rows wait in memory for at most
`interval_s` and are written in one transaction; an e-stop is written at once.

`add` may be called from any thread (a pipeline thread, a route's worker thread, a test):
the pending rows sit behind a `threading.Lock`, and a row that must go at once wakes the
writer through its loop's `call_soon_threadsafe` (an `asyncio.Event` set from another
thread would not wake it).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
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
        # Guards `_pending` and `dropped`: rows come from any thread.
        self._guard = threading.Lock()
        self._pending: list[AuditEvent] = []
        self._wake = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        # One flush at a time (on the writer's loop), so batches keep their order.
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
        """Queue one row (from any thread); `now`: write it (and those waiting) without
        waiting the interval."""
        row = AuditEvent(action=action, actor=actor, target=target, details=details)
        with self._guard:
            self._pending.append(row)
            self._bound()
        if now:
            self._wake_writer()

    def _bound(self) -> None:
        # Never more than MAX_ROWS in memory if the database is down: the oldest go, counted.
        excess = len(self._pending) - MAX_ROWS
        if excess > 0:
            del self._pending[:excess]
            self.dropped += excess

    def _wake_writer(self) -> None:
        loop = self._loop
        if loop is None or loop.is_closed():
            return  # not started: `stop` writes what waits
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            self._wake.set()
        else:
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile: stopped
                loop.call_soon_threadsafe(self._wake.set)

    async def flush(self) -> None:
        async with self._lock:
            with self._guard:
                rows, self._pending = self._pending, []
            if not rows:
                return
            try:
                await asyncio.to_thread(self._write, rows)
            except Exception:
                log.exception("robots: writing %d audit rows failed", len(rows))
                with self._guard:
                    # Back in front of what came meanwhile, in their order, still bounded.
                    self._pending[:0] = rows
                    self._bound()
                return
            self.batches += 1
            self.rows += len(rows)

    def _write(self, rows: list[AuditEvent]) -> None:
        with self.database.session() as session:
            session.add_all(rows)
            session.commit()

    def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stopping = False
        self._task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        while not self._stopping:
            await wait_event(self._wake, self.interval_s)
            self._wake.clear()
            await self.flush()

    async def stop(self) -> None:
        """Let the writer finish the batch in hand, then write what still waits.

        Never cancelled mid-flush: a batch taken from `_pending` whose write was still
        queued for a thread would be lost."""
        if self._task is not None:
            self._stopping = True
            self._wake.set()
            await self._task
            self._task = None
        await self.flush()
