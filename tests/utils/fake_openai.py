"""A model server that speaks OpenAI's chat-completions protocol over real HTTP.

The agent is pointed at it by base URL, exactly as it would be at vLLM. A *policy*
decides each reply from the conversation it is sent, e.g. first a tool call, then an
answer quoting what the tool returned.

    with FakeModelServer(policy) as model:
        settings = AgentSettings(model="fake-model", base_url=model.url, ...)
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.utils.servers import AiohttpThread


@dataclass
class Reply:
    """An answer (`content`), or tool calls as (name, args) pairs, or a stall."""

    content: str = ""
    tool_calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    stall: bool = False


Policy = Callable[[dict[str, Any]], Reply]


def tool_outputs(body: dict[str, Any]) -> list[dict[str, Any]]:
    """The `tool` messages of a request, as {name?, content, tool_call_id}."""
    return [m for m in body["messages"] if m.get("role") == "tool"]


def tool_data(message: dict[str, Any]) -> Any:
    """The data inside a tool result wrapped by the agent (`{"tool_output": ..., "data"}`)."""
    content = message["content"]
    if isinstance(content, list):
        content = "".join(part.get("text", "") for part in content)
    return json.loads(content)["data"]


def user_text(body: dict[str, Any]) -> str:
    return "\n".join(
        m["content"] for m in body["messages"] if m.get("role") == "user" and m.get("content")
    )


def prompted_stream_ids(body: dict[str, Any]) -> list[str]:
    """The stream ids the agent names in the person's message ("... looking at: [...]")."""
    match = re.search(r"looking at: (\[.*\])", user_text(body))
    assert match, "the prompt names the person's streams"
    ids: list[str] = json.loads(match.group(1))
    return ids


def knee_policy(postscript: str = "") -> Policy:
    """Ask pose_stats for the first stream named in the prompt, then quote the left knee
    from the tool result (with `postscript` after the figures)."""

    def reply(body: dict[str, Any]) -> Reply:
        outputs = tool_outputs(body)
        if not outputs:
            stream_id = prompted_stream_ids(body)[0]
            return Reply(tool_calls=[("pose_stats", {"stream_id": stream_id, "window_s": 60})])
        data = tool_data(outputs[-1])
        knee = data["angles"]["left_knee"]
        return Reply(
            content=f"Over the last {data['window_s']:g} s your left knee moved through "
            f"{knee['range_of_motion']}° (from {knee['min']}° to {knee['max']}°, visibility "
            f"{knee['visibility']}). You were in view {data['in_view_fraction']:.0%} of the "
            f"time.{postscript}"
        )

    return reply


class FakeModelServer(AiohttpThread):
    def __init__(self, policy: Policy, model: str = "fake-model") -> None:
        app = web.Application()
        app.router.add_post("/v1/chat/completions", self._completions)
        super().__init__(app)
        self.policy = policy
        self.model = model
        self.requests: list[dict[str, Any]] = []
        self._ids = itertools.count(1)
        self._release: asyncio.Event | None = None

    @property
    def base_url(self) -> str:
        return self.url + "/v1"

    def stop(self) -> None:
        if self._release is not None:
            self.loop.call_soon_threadsafe(self._release.set)
        super().stop()

    async def _completions(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.requests.append(body)
        reply = self.policy(body)
        if reply.stall:
            # Hold the request open until the server stops, like a wedged model server.
            self._release = self._release or asyncio.Event()
            await self._release.wait()
            raise web.HTTPServiceUnavailable()
        calls = [
            {
                "id": f"call_{next(self._ids)}",
                "type": "function",
                "function": {"name": name, "arguments": json.dumps(args)},
            }
            for name, args in reply.tool_calls
        ]
        finish = "tool_calls" if calls else "stop"
        common = {
            "id": f"chatcmpl-{next(self._ids)}",
            "created": int(time.time()),
            "model": body.get("model", self.model),
        }
        if body.get("stream"):
            # langchain-openai asks for plain replies unless streaming is switched on.
            raise web.HTTPNotImplemented(text="this test server does not stream")
        message: dict[str, Any] = {"role": "assistant", "content": reply.content or None}
        if calls:
            message["tool_calls"] = calls
        return web.json_response(
            {
                **common,
                "object": "chat.completion",
                "choices": [{"index": 0, "message": message, "finish_reason": finish}],
                "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
            }
        )
