"""The backend's jobs (clips, exports) on the one job interface of `posestudio_core.jobs`.

`build_queue(settings, env)` is the runtime's queue: RQ on `settings.redis_url` (run
`posestudio worker` beside the server) or a small thread pool in the server. Either way
a job gets the same `JobEnv` (the database and the storage), built here for the worker.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from posestudio.db.database import Database
from posestudio.settings import Settings
from posestudio.storage import Storage, build_storage
from posestudio_core.jobs import InProcessQueue, JobContext, JobQueue, RqQueue

if TYPE_CHECKING:
    from rq import SimpleWorker


@dataclass(frozen=True)
class JobEnv:
    """What the backend's jobs work with, in whichever process runs them."""

    settings: Settings
    database: Database
    storage: Storage


def env_of(ctx: JobContext) -> JobEnv:
    env = ctx.env
    if not isinstance(env, JobEnv):
        raise RuntimeError("a backend job runs on the backend's queue or `posestudio worker`")
    return env


def _register() -> None:
    """Import the modules whose `@job`s the backend runs (registration is the import)."""
    from posestudio.clips import job as _clip  # noqa: F401
    from posestudio.sessions import export_jobs as _exports  # noqa: F401


def build_queue(settings: Settings, env: JobEnv) -> JobQueue:
    _register()
    if settings.redis_url is None:
        return InProcessQueue(env, workers=settings.job_workers)
    import redis

    connection = redis.Redis.from_url(settings.redis_url.get_secret_value())
    return RqQueue(connection, queue_name=settings.jobs_queue, prefix=settings.jobs_prefix, env=env)


def build_worker(settings: Settings) -> SimpleWorker:
    """An RQ worker for the backend's jobs (`posestudio worker`)."""
    if settings.redis_url is None:
        raise ValueError("the worker needs POSE_STUDIO_REDIS_URL (jobs run in the server without)")
    database = Database(settings.resolved_database_url)
    queue = build_queue(settings, JobEnv(settings, database, build_storage(settings)))
    assert isinstance(queue, RqQueue)
    return queue.worker()
