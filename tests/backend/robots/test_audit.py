"""`AuditBatch` over a real SQLite database: rows added from several threads while the
writer flushes are each written once, and a row that must go at once wakes the writer
from another thread."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import select

from posestudio.accounts.models import AuditEvent
from posestudio.db.database import Database
from posestudio.robots.audit import MAX_ROWS, AuditBatch
from tests.utils.server import wait_for

THREADS = 4
PER_THREAD = 100  # all of them together stay under MAX_ROWS: none may be dropped


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    database = Database(f"sqlite:///{tmp_path / 'posestudio.db'}")
    database.upgrade()
    try:
        yield database
    finally:
        database.close()


def written(database: Database) -> list[tuple[int, int]]:
    with database.session() as session:
        rows = session.exec(select(AuditEvent)).all()
    return [(row.details or {})["thread"] * 1000 + (row.details or {})["n"] for row in rows]


async def test_rows_added_from_threads_while_flushing_are_each_written_once(
    database: Database,
) -> None:
    assert THREADS * PER_THREAD < MAX_ROWS
    batch = AuditBatch(database, interval_s=0.005)
    batch.start()
    start = threading.Barrier(THREADS)
    # Each thread adds half its rows, waits until those are flushed, then adds the rest
    # while the loop flushes again: so there are two batches at least, whatever the
    # scheduling, and rows are added while a flush is in hand.
    halfway = threading.Barrier(THREADS + 1)
    flushed = threading.Event()

    def add(thread: int) -> None:
        start.wait()
        for n in range(PER_THREAD):
            if n == PER_THREAD // 2:
                halfway.wait()
                flushed.wait()
            batch.add(
                "robot.action", f"user:{thread}", "rex", {"thread": thread, "n": n}, now=n % 7 == 0
            )

    adders = [asyncio.to_thread(add, thread) for thread in range(THREADS)]
    done = asyncio.gather(*adders)
    await asyncio.to_thread(halfway.wait)
    await batch.flush()
    first = batch.rows
    flushed.set()
    while not done.done():  # the loop flushes too, while the threads add
        await batch.flush()
        await asyncio.sleep(0)
    await done
    await batch.stop()
    rows = written(database)
    expected = [t * 1000 + n for t in range(THREADS) for n in range(PER_THREAD)]
    assert sorted(rows) == expected  # none lost, none twice
    assert (batch.rows, batch.dropped) == (len(expected), 0)
    assert first == THREADS * (PER_THREAD // 2) and batch.batches > 1


async def test_a_row_that_must_go_now_wakes_the_writer_from_another_thread(
    database: Database,
) -> None:
    batch = AuditBatch(database, interval_s=60.0)  # only the wake-up can write it in time
    batch.start()
    await asyncio.sleep(0)  # one turn of the loop: the writer now waits on its wake-up
    try:

        def add_then_wait() -> None:
            # From a worker thread while the loop sits idle (nothing else wakes it): only
            # a thread-safe wake-up gets the row written before the 60 s interval.
            assert written(database) == []
            batch.add("robot.estop", "user:1", "rex", {"thread": 0, "n": 1}, now=True)
            wait_for(lambda: written(database) == [1], 5, "the e-stop row")

        await asyncio.to_thread(add_then_wait)
    finally:
        await batch.stop()
