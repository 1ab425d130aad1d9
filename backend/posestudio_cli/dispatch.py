"""An ASGI path dispatcher: one listening socket, several apps by path prefix.

`posestudio serve` uses it to serve the embedded agent under `/agent` beside the
backend. Lifespan events go to every app, so each starts and stops as it would alone.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class PathDispatcher:
    """Routes `prefix` and `prefix/...` to `mounts[prefix]`, anything else to `default`.

    Paths are passed on unchanged: a mounted app serves its routes under its prefix.
    """

    def __init__(self, default: ASGIApp, mounts: dict[str, ASGIApp]) -> None:
        self.default = default
        self.mounts = {prefix.rstrip("/"): app for prefix, app in mounts.items()}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(scope, receive, send)
            return
        path: str = scope.get("path", "")
        for prefix, app in self.mounts.items():
            if path == prefix or path.startswith(prefix + "/"):
                await app(scope, receive, send)
                return
        await self.default(scope, receive, send)

    async def _lifespan(self, scope: Scope, receive: Receive, send: Send) -> None:
        apps = [self.default, *self.mounts.values()]
        inboxes: list[asyncio.Queue[Message]] = [asyncio.Queue() for _ in apps]
        outboxes: list[asyncio.Queue[Message]] = [asyncio.Queue() for _ in apps]

        def channel(i: int) -> tuple[Receive, Send]:
            async def app_send(message: Message) -> None:
                await outboxes[i].put(message)

            return inboxes[i].get, app_send

        tasks: list[asyncio.Future[None]] = [
            asyncio.ensure_future(app({**scope}, *channel(i))) for i, app in enumerate(apps)
        ]
        try:
            while True:
                message = await receive()
                for inbox in inboxes:
                    await inbox.put(message)
                # Startup completes in order of the apps; the first failure wins.
                replies = [
                    await _reply(outbox, task, message["type"])
                    for outbox, task in zip(outboxes, tasks, strict=True)
                ]
                failed = next((r for r in replies if r["type"].endswith(".failed")), None)
                await send(failed or replies[0])
                if message["type"] == "lifespan.shutdown" or failed:
                    break
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)


async def _reply(outbox: asyncio.Queue[Message], task: asyncio.Future[None], event: str) -> Message:
    """The app's answer to a lifespan event; an app that does not speak lifespan (its
    task ended) is taken to have completed it, as servers do."""
    getter: asyncio.Future[Any] = asyncio.ensure_future(outbox.get())
    waiting: set[asyncio.Future[Any]] = {getter, task}
    done, _ = await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
    if getter in done:
        reply: Message = getter.result()
        return reply
    getter.cancel()
    return {"type": f"{event}.complete"}
