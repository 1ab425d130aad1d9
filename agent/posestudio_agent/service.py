"""Wiring the agent's parts from settings, for its entry points.

`build_service` for `posestudio agent serve` (RQ on Redis, or in-process without a Redis
URL) and for the backend's `posestudio serve`, which serves the agent in-process under
`/agent`; `build_worker` for `posestudio agent worker`.
"""

from __future__ import annotations

import redis
import socketio
from rq import SimpleWorker

from posestudio_agent.app import create_agent_app, make_sio
from posestudio_agent.identity import BackendAuthenticator
from posestudio_agent.jobs import JobContext, LocalQueue, RQQueue
from posestudio_agent.publish import RedisPublisher, ServerPublisher, channel_name
from posestudio_agent.runner import warm_up
from posestudio_agent.settings import AgentSettings
from posestudio_agent.store import MemoryStore, RedisStore
from posestudio_core.auth import Authenticator, load_or_create_token


def access_token(settings: AgentSettings) -> str:
    """The token the backend accepts: set explicitly, or the backend's data_dir/token."""
    if settings.token is not None:
        return settings.token.get_secret_value()
    return load_or_create_token(settings.data_dir)


def build_service(
    settings: AgentSettings, token: str, authenticator: Authenticator | None = None
) -> socketio.ASGIApp:
    """The agent service: RQ jobs when `redis_url` is set, in-process jobs otherwise.

    People are recognised by asking the backend (`BackendAuthenticator`); `token` is the
    bootstrap token, accepted as before. Embedded in the backend, its own authenticator
    is passed instead (the same answers, without the backend calling itself over HTTP).
    """
    if authenticator is None:
        authenticator = BackendAuthenticator(settings, token)
    if settings.redis_url:
        connection = redis.Redis.from_url(settings.redis_url)
        store = RedisStore(connection, settings.result_ttl_s, settings.key_prefix)
        manager = socketio.AsyncRedisManager(
            settings.redis_url, channel=channel_name(settings.key_prefix)
        )
        return create_agent_app(
            settings,
            store,
            RQQueue(connection, settings),
            authenticator,
            make_sio(settings, manager),
        )
    # Jobs run in this process: import and build the model now, not in the first question.
    warm_up(settings)
    memory = MemoryStore(settings.result_ttl_s)
    sio = make_sio(settings)
    publisher = ServerPublisher(sio)
    queue = LocalQueue(JobContext(settings, memory, publisher, token), settings.local_workers)
    return create_agent_app(
        settings, memory, queue, authenticator, sio, on_startup=[publisher.bind]
    )


def build_worker(settings: AgentSettings, token: str) -> SimpleWorker:
    """An RQ worker that runs agent jobs in its own process, without forking per job."""
    if not settings.redis_url:
        raise ValueError("the agent worker needs POSE_STUDIO_AGENT_REDIS_URL")
    warm_up(settings)
    connection = redis.Redis.from_url(settings.redis_url)
    store = RedisStore(connection, settings.result_ttl_s, settings.key_prefix)
    publisher = RedisPublisher(settings.redis_url, channel_name(settings.key_prefix))
    # The worker's jobs see this context (`RqQueue.worker` sets it for the process).
    context = JobContext(settings, store, publisher, token)
    return RQQueue(connection, settings, context).jobs.worker()
