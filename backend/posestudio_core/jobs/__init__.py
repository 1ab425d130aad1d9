"""One job interface for every service: jobs by name, a context, two queues.

    @job("clip.render")
    def render(ctx: JobContext, payload: dict[str, Any]) -> None:
        ...
        ctx.progress(0.5)
        if ctx.cancelled():
            return

    queue = InProcessQueue(env)                    # the embedded default: a small thread pool
    queue = RqQueue(redis.Redis.from_url(url), env=None)  # RQ; `posestudio worker` runs them
    job_id = queue.enqueue("clip.render", {"clip_id": "cl_…"})
    queue.status(job_id)  # JobStatus(state="running", progress=0.5, …)

A job is a plain importable function registered by name that takes the context and a
JSON payload (ids, never objects). Its status and progress live where both the process
that enqueued it and the one that runs it can read them: in memory for the in-process
queue, in Redis for RQ. The context's `env` is what the process running the job gave its
queue or worker (the backend's database and storage), so payloads carry only ids.

Modules: `status` (JobState, JobStatus, the status stores' protocol, MemoryStatusStore),
`registry` (`@job`, JobContext, run_job), `queue` (the JobQueue protocol, InProcessQueue),
`rq_queue` (RedisStatusStore, RqQueue and `rq_job`, the function RQ imports by the name
`posestudio_core.jobs.rq_job`).
"""

from posestudio_core.jobs.queue import InProcessQueue, JobQueue, new_job_id
from posestudio_core.jobs.registry import (
    RETRY_DELAYS_S,
    JobContext,
    JobFn,
    job,
    registered,
    run_job,
)
from posestudio_core.jobs.rq_queue import (
    DEFAULT_TIMEOUT_S,
    RQ_TIMEOUT_MARGIN_S,
    RedisStatusStore,
    RqQueue,
    rq_job,
    set_worker_env,
)
from posestudio_core.jobs.status import JobState, JobStatus, MemoryStatusStore, StatusStore

__all__ = [
    "DEFAULT_TIMEOUT_S",
    "RETRY_DELAYS_S",
    "RQ_TIMEOUT_MARGIN_S",
    "InProcessQueue",
    "JobContext",
    "JobFn",
    "JobQueue",
    "JobState",
    "JobStatus",
    "MemoryStatusStore",
    "RedisStatusStore",
    "RqQueue",
    "StatusStore",
    "job",
    "new_job_id",
    "registered",
    "rq_job",
    "run_job",
    "set_worker_env",
]
