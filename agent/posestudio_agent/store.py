"""Request records with a TTL, per-person rate counters and metric counters.

`RedisStore` when a Redis URL is configured (shared by the API and its RQ workers),
`MemoryStore` otherwise. The credential a request's tools forward to the backend is
kept beside its record, with a TTL of the request's deadline, and taken (deleted) by the
job that runs it. Both are synchronous: the API calls them from sync routes
(FastAPI's thread pool) and the jobs from worker threads.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections import defaultdict, deque
from typing import Protocol

import redis

from posestudio_agent.identity import Forwarded
from posestudio_agent.records import AgentRecord


class RequestStore(Protocol):
    def save(self, record: AgentRecord) -> None: ...

    def load(self, request_id: str) -> AgentRecord | None: ...

    def keep_credential(self, request_id: str, credential: Forwarded, ttl_s: int) -> None:
        """Hold what the request's job will present to the backend, for `ttl_s` at most."""
        ...

    def take_credential(self, request_id: str) -> Forwarded | None:
        """The request's credential, deleted as it is read; None once expired or taken."""
        ...

    def hit(self, subject: str, window_s: int) -> int:
        """Count one request by `subject`; returns its count over the last `window_s`."""
        ...

    def incr(self, metric: str, label: str, amount: float = 1.0) -> None: ...

    def counters(self, metric: str) -> dict[str, float]: ...

    def ping(self) -> bool:
        """Whether the store answers (for health checks)."""
        ...

    def close(self) -> None: ...


class MemoryStore:
    """In-process store: expiry checked on read, swept on write."""

    def __init__(self, ttl_s: int) -> None:
        self.ttl_s = ttl_s
        self._records: dict[str, tuple[float, str]] = {}
        self._hits: dict[str, deque[float]] = {}
        self._credentials: dict[str, tuple[float, Forwarded]] = {}
        self._counters: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        self._lock = threading.Lock()

    def save(self, record: AgentRecord) -> None:
        now = time.monotonic()
        with self._lock:
            self._records[record.request_id] = (now + self.ttl_s, record.model_dump_json())
            for key in [k for k, (expires, _) in self._records.items() if expires <= now]:
                del self._records[key]

    def load(self, request_id: str) -> AgentRecord | None:
        with self._lock:
            entry = self._records.get(request_id)
        if entry is None or entry[0] <= time.monotonic():
            return None
        return AgentRecord.model_validate_json(entry[1])

    def keep_credential(self, request_id: str, credential: Forwarded, ttl_s: int) -> None:
        now = time.monotonic()
        with self._lock:
            self._credentials[request_id] = (now + ttl_s, credential)
            for key in [k for k, (exp, _) in self._credentials.items() if exp <= now]:
                del self._credentials[key]

    def take_credential(self, request_id: str) -> Forwarded | None:
        with self._lock:
            entry = self._credentials.pop(request_id, None)
        if entry is None or entry[0] <= time.monotonic():
            return None
        return entry[1]

    def hit(self, subject: str, window_s: int) -> int:
        now = time.monotonic()
        with self._lock:
            hits = self._hits.setdefault(subject, deque())
            hits.append(now)
            while hits and hits[0] <= now - window_s:
                hits.popleft()
            return len(hits)

    def incr(self, metric: str, label: str, amount: float = 1.0) -> None:
        with self._lock:
            self._counters[metric][label] += amount

    def counters(self, metric: str) -> dict[str, float]:
        with self._lock:
            return dict(self._counters[metric])

    def ping(self) -> bool:
        return True

    def close(self) -> None:
        pass


class RedisStore:
    """Records as JSON strings with a TTL under `prefix`; counters as Redis hashes."""

    def __init__(self, connection: redis.Redis, ttl_s: int, prefix: str) -> None:
        self.redis = connection
        self.ttl_s = ttl_s
        self.prefix = prefix

    def _key(self, *parts: str) -> str:
        return self.prefix + ":".join(parts)

    def save(self, record: AgentRecord) -> None:
        self.redis.set(
            self._key("request", record.request_id), record.model_dump_json(), ex=self.ttl_s
        )

    def load(self, request_id: str) -> AgentRecord | None:
        raw = self.redis.get(self._key("request", request_id))
        return None if raw is None else AgentRecord.model_validate_json(raw)

    def keep_credential(self, request_id: str, credential: Forwarded, ttl_s: int) -> None:
        key = self._key("credential", request_id)
        self.redis.set(key, json.dumps(credential.to_json()), ex=ttl_s)

    def take_credential(self, request_id: str) -> Forwarded | None:
        pipe = self.redis.pipeline()
        pipe.get(self._key("credential", request_id))
        pipe.delete(self._key("credential", request_id))
        raw, _ = pipe.execute()
        return None if raw is None else Forwarded.from_json(json.loads(raw))

    def hit(self, subject: str, window_s: int) -> int:
        # A sliding window: one sorted-set member per request, scored by its time.
        key = self._key("rate", subject)
        now = time.time()
        pipe = self.redis.pipeline()
        pipe.zremrangebyscore(key, "-inf", now - window_s)
        pipe.zadd(key, {uuid.uuid4().hex: now})
        pipe.zcard(key)
        pipe.expire(key, window_s)
        _, _, count, _ = pipe.execute()
        return int(count)

    def incr(self, metric: str, label: str, amount: float = 1.0) -> None:
        self.redis.hincrbyfloat(self._key("metrics", metric), label, amount)

    def counters(self, metric: str) -> dict[str, float]:
        raw = self.redis.hgetall(self._key("metrics", metric))
        return {(k.decode() if isinstance(k, bytes) else str(k)): float(v) for k, v in raw.items()}

    def ping(self) -> bool:
        try:
            return bool(self.redis.ping())
        except redis.RedisError:
            return False

    def close(self) -> None:
        self.redis.close()
