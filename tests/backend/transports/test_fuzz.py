"""A seeded fuzz of malformed messages: every one answered, nothing wedged, no traceback.

One connection gets the fuzz, each message followed by a liveness probe on the same
connection; another connection streams real video throughout and must keep getting
poses. Afterwards the fuzzed connection's own stream still works.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import time
from collections.abc import Iterator
from typing import Any

import pytest

from posestudio.client import PoseClient
from posestudio.settings import Settings
from posestudio.transports.malformed import LOG_INTERVAL_S
from tests.utils.frames import send_and_wait, video_jpegs
from tests.utils.logs import captured_logs
from tests.utils.rawsio import NAMESPACE, RawSocket, decode
from tests.utils.server import LiveServer

SEED = 18
MESSAGES = 320
JPEG = video_jpegs(176, 144)[0]
N = NAMESPACE


@pytest.fixture(scope="module")
def fuzz_server() -> Iterator[LiveServer]:
    live = LiveServer(Settings(environment="test", max_fps=240)).start()
    yield live
    live.stop()


def _meta(value: str = "1") -> str:
    return '{"stream_id":"cam","seq":' + value + ',"capture_ts":1}'


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def case(rng: random.Random, ack: int) -> tuple[str, list[str | bytes], int]:
    """(kind, Engine.IO messages to send, how many answers they are owed)."""
    kind = rng.choice(
        ["nan", "deep", "shallow", "placeholder", "missing", "attachments"] * 2
        + ["garbage", "content", "unknown", "namespace"]
    )
    frame = f'451-{N},["frame",%s,{{"_placeholder":true,"num":0}}]'
    if kind == "nan":
        value = rng.choice(["NaN", "Infinity", "-Infinity", "nan", "1e999999"])
        if rng.random() < 0.5:
            return kind, [frame % _meta(value), JPEG], 2
        return kind, [f'42{N},{ack}["start",{{"stream_id":"x","smoothing":{value}}}]'], 1
    if kind == "deep":
        depth = rng.choice([17, 40, 500, 1023, 1025, 3000])
        meta = _meta()[:-1] + ',"x":' + _nested(depth) + "}"
        return kind, [frame % meta, JPEG], 2
    if kind == "shallow":
        # Decodes, then the metadata model refuses the unknown field.
        meta = _meta()[:-1] + ',"x":' + _nested(rng.randint(1, 12)) + "}"
        return kind, [frame % meta, JPEG], 1
    if kind == "placeholder":
        num = rng.choice(["1", "2", "99", "-1", '"0"', "0.5", "null"])
        text = f'451-{N},["frame",{_meta()},{{"_placeholder":true,"num":{num}}}]'
        return kind, [text, JPEG], 2
    if kind == "missing":
        # Two attachments declared, one sent: the probe that follows is the next text.
        text = (
            f'452-{N},["frame",{_meta()},'
            '{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]'
        )
        return kind, [text, JPEG], 1
    if kind == "attachments":
        count = rng.choice(["5", "99", "9999999999", "0", "00", "x", ""])
        return kind, [f'45{count}-{N},["frame",{_meta()},{{"_placeholder":true,"num":0}}]'], 1
    if kind == "garbage":
        text = rng.choice(
            [
                "4x",
                "4",
                "47",
                f"4{rng.randbytes(8).hex()}",
                f"42{N},{{}}",
                f"42{N},[]",
                f'42{N},["disconnect"]',
                f'42{N},["connect",{{}}]',
                f"42{N},[1,2]",
                f'42{N},1234567890123456789["stop",{{}}]',
                f"44{N},{{}}",
                f'42{N},["stop"',
                f'42{N},"\\ud800"',
            ]
        )
        if rng.random() < 0.2:
            return kind, [rng.randbytes(rng.randint(1, 64))], 1
        return kind, [text], 1
    if kind == "content":
        text = rng.choice(
            [
                f'42{N},{ack}["start",{{"stream_id":"bad id!"}}]',
                f'42{N},{ack}["start",{{"stream_id":"x","bogus":1}}]',
                f'42{N},{ack}["stop",{{}}]',
                f'42{N},{ack}["start",[1,2,3]]',
            ]
        )
        if rng.random() < 0.3:
            return kind, [f'42{N},["frame",{_meta()}]'], 1
        return kind, [text], 1
    if kind == "unknown":
        return kind, [f'42{N},{ack}["bogus_{rng.randint(0, 99)}",1]'], 1
    return kind, [f'42/elsewhere,{ack}["start",{{}}]'], 1


def is_answer(item: Any) -> bool:
    kind, payload = item
    if kind == "event":
        return bool(payload[0] == "error")
    if kind == "other" and isinstance(payload, str) and payload.startswith("43"):
        body = json.loads(payload[payload.index("[") :])
        return bool(body and isinstance(body[0], dict) and body[0].get("ok") is False)
    return False


async def test_fuzz_every_message_answered_nothing_wedged(fuzz_server: LiveServer) -> None:
    rng = random.Random(SEED)
    poses = {"before": 0, "during": 0, "after": 0}
    phase = "before"
    stop = asyncio.Event()
    progress = asyncio.Event()

    async def poses_in(name: str, count: int) -> None:
        while poses[name] < count:
            progress.clear()
            await progress.wait()

    async def good_stream() -> None:
        async with PoseClient(fuzz_server.url, fuzz_server.token) as good:
            await good.start("good")
            frames = video_jpegs(176, 144)
            i = 0
            while not stop.is_set():
                message = await send_and_wait(good, "good", frames[i % len(frames)])
                poses[phase] += message.data["schema"] == "pose_v1"
                progress.set()
                i += 1

    with captured_logs() as records:
        bystander = asyncio.create_task(good_stream())
        raw = await RawSocket.open(fuzz_server.url)
        await raw.join(fuzz_server.token)
        started, _ = await raw.call("start", {"stream_id": "cam"})
        assert started["ok"] is True
        await asyncio.wait_for(poses_in("before", 3), 60)
        phase = "during"
        began = time.monotonic()
        owed = seen = 0
        kinds: dict[str, int] = {}
        for _ in range(MESSAGES):
            kind, messages, answers = case(rng, raw.ack_id())
            kinds[kind] = kinds.get(kind, 0) + 1
            for message in messages:
                await raw.send(message)
            owed += answers
            probe, before = await raw.call("stop", {"stream_id": "probe"})
            assert probe["error"]["code"] == "UNKNOWN_STREAM", (kind, messages, probe)
            seen += sum(map(is_answer, before))
            while seen < owed:
                try:
                    message = await raw.recv(10)
                except TimeoutError:
                    raise AssertionError(f"no answer to {kind}: {messages!r:.300}") from None
                assert message is not None, f"closed after {kind}: {raw.close_reason}"
                seen += is_answer(decode(message))
        elapsed = time.monotonic() - began
        phase = "after"
        # The fuzzed connection's own stream is as it was: a frame gets its pose.
        await raw.send(f'451-{N},["frame",{_meta("7")},{{"_placeholder":true,"num":0}}]')
        await raw.send(JPEG)
        while True:
            message = await raw.recv(10)
            assert message is not None
            item = decode(message)
            if item[0] == "event" and item[1][0] == "pose":
                assert item[1][1]["seq"] == 7
                break
        stopped, _ = await raw.call("stop", {"stream_id": "cam"})
        assert stopped["ok"] is True
        await asyncio.wait_for(poses_in("after", 3), 60)
        stop.set()
        await bystander
        await raw.close()

    assert seen == owed
    print(
        f"\nfuzz: {MESSAGES} messages ({kinds}) in {elapsed:.1f} s, {seen} answers; "
        f"good stream poses before/during/after: {poses}"
    )
    assert poses["during"] > 0
    metrics = fuzz_server.get("/metrics").text
    assert 'pose_malformed_packets_total{kind="json"}' in metrics
    assert 'pose_malformed_packets_total{kind="depth"}' in metrics
    assert 'pose_malformed_packets_total{kind="attachments"}' in metrics
    tracebacks = [r for r in records if r.exc_info or "Traceback" in r.getMessage()]
    assert tracebacks == []
    edge_lines = [r for r in records if r.name == "posestudio.edge"]
    assert len(edge_lines) <= 2 + elapsed / LOG_INTERVAL_S


async def test_pre_auth_garbage_is_refused_and_closed_with_bounded_log(
    fuzz_server: LiveServer,
) -> None:
    with captured_logs() as records:
        for i in range(200):
            raw = await RawSocket.open(fuzz_server.url)
            await raw.send("4x" if i % 2 else f'451-{N},["frame",{{}},{{"_placeholder":1}}]')
            reply = await raw.recv()
            assert reply is not None
            kind, payload = decode(reply)
            assert kind == "connect_error" and payload["data"]["code"] == "BAD_REQUEST"
            assert await raw.recv() is None
            await raw.close()
    assert [r for r in records if r.exc_info] == []
    assert len([r for r in records if r.levelno >= logging.WARNING]) <= 3
    assert 'pose_malformed_packets_total{kind="type"}' in fuzz_server.get("/metrics").text


async def test_malformed_engineio_packets_close_with_a_reason(fuzz_server: LiveServer) -> None:
    with captured_logs() as records:
        for garbage in ("x", "", "9", "8abc", "\u00e9"):
            raw = await RawSocket.open(fuzz_server.url)
            await raw.join(fuzz_server.token)
            await raw.send(garbage)
            assert await raw.recv() is None
            assert (raw.close_code, raw.close_reason) == (1002, "malformed Engine.IO packet")
        # Engine.IO's own packets (noop, upgrade, a stray pong) leave the session as it was.
        raw = await RawSocket.open(fuzz_server.url)
        await raw.join(fuzz_server.token)
        for harmless in ("6", "5", "3"):
            await raw.send(harmless)
            reply, _ = await raw.call("stop", {"stream_id": "probe"})
            assert reply["error"]["code"] == "UNKNOWN_STREAM"
        await raw.close()
    assert [r for r in records if r.exc_info] == []


async def test_the_servers_own_events_are_refused_as_messages(fuzz_server: LiveServer) -> None:
    raw = await RawSocket.open(fuzz_server.url)
    try:
        await raw.join(fuzz_server.token)
        for event in ("connect", "disconnect", "connect_error"):
            answer, _ = await raw.call(event, {})
            assert answer["ok"] is False and answer["error"]["code"] == "BAD_REQUEST", answer
        # The connection is as it was: it still starts a stream.
        started, _ = await raw.call("start", {"stream_id": "after"})
        assert started["ok"] is True, started
    finally:
        await raw.close()
