"""Stores: records expire, rate windows slide, counters add up; in Redis and in memory."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import redis

from posestudio_agent.records import AgentRecord, Status
from posestudio_agent.store import MemoryStore, RedisStore, RequestStore


@pytest.fixture(params=["redis", "memory"])
def store(request: pytest.FixtureRequest, redis_url: str) -> Iterator[RequestStore]:
    if request.param == "redis":
        connection = redis.Redis.from_url(redis_url)
        yield RedisStore(connection, ttl_s=30, prefix="test:")
        connection.close()
    else:
        yield MemoryStore(ttl_s=30)


def record(request_id: str = "r1") -> AgentRecord:
    return AgentRecord(request_id=request_id, subject="owner", question="Am I in frame?")


def test_records_round_trip(store: RequestStore) -> None:
    saved = record()
    saved.status = Status.COMPLETE
    saved.answer = "Yes."
    store.save(saved)
    assert store.load("r1") == saved
    assert store.load("r2") is None


def test_rate_window_counts_per_person(store: RequestStore) -> None:
    assert [store.hit("owner", 60) for _ in range(3)] == [1, 2, 3]
    assert store.hit("someone-else", 60) == 1


def test_counters_add_up(store: RequestStore) -> None:
    store.incr("requests", "complete")
    store.incr("requests", "complete")
    store.incr("request_seconds", "sum", 0.25)
    assert store.counters("requests") == {"complete": 2.0}
    assert store.counters("request_seconds") == {"sum": 0.25}
    assert store.counters("nothing") == {}


def test_redis_records_carry_the_ttl(redis_url: str) -> None:
    connection = redis.Redis.from_url(redis_url)
    RedisStore(connection, ttl_s=30, prefix="test:").save(record())
    assert 0 < connection.ttl("test:request:r1") <= 30
    connection.close()


def test_records_expire() -> None:
    store = MemoryStore(ttl_s=1)
    store.save(record())
    assert store.load("r1") is not None
    deadline = time.monotonic() + 5
    while store.load("r1") is not None:
        assert time.monotonic() < deadline, "the record did not expire"
        time.sleep(0.05)
