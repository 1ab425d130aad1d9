"""The simulated robot on the network: signaling, one WebRTC peer, its data channel, telemetry.

The data channel speaks the robot's JSON messages: `validation` (the robot sends a random
key, the client answers base64(md5("UnitreeGo2_" + key)), the robot says "Validation Ok."),
`heartbeat`, `rtc_inner_req` (network status), `subscribe` / `unsubscribe`, `req` -> `res`
(sport and arm requests), and `msg` for the telemetry topics it publishes.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import json
import logging
import secrets
import time
from typing import Any

from aiohttp import web
from aiortc import RTCConfiguration, RTCDataChannel, RTCPeerConnection, RTCSessionDescription

from posestudio_robot.loopback import patch_ice_loopback
from posestudio_robot.simulator.body import Body, Model
from posestudio_robot.simulator.signaling import CON_PORT, OFFER_PORT, Signaling

log = logging.getLogger(__name__)

SPORT_STATE = "rt/lf/sportmodestate"
LOW_STATE = "rt/lf/lowstate"
BMS_STATE = "rt/lf/bmsstate"
SPORT_REQUEST = "rt/api/sport/request"
ARM_REQUEST = "rt/api/arm/request"
STATE_HZ = 20.0
LOW_EVERY = 4  # lowstate (and bmsstate) at a quarter of the sport state's rate


def validation_answer(key: str) -> str:
    """What the client must answer to the robot's validation key."""
    return base64.b64encode(hashlib.md5(f"UnitreeGo2_{key}".encode()).digest()).decode()


class Peer:
    """One connected client: its peer connection, data channel and subscriptions."""

    def __init__(self, pc: RTCPeerConnection) -> None:
        self.pc = pc
        self.channel: RTCDataChannel | None = None
        self.key = secrets.token_hex(8)
        self.validated = False
        self.topics: set[str] = set()


class Simulator:
    """A simulated Go2 or G1 on `host` (ports 9991 and 8081)."""

    def __init__(self, model: Model, *, host: str = "127.0.0.1", aes_key: str | None = None):
        patch_ice_loopback()
        self.model = model
        self.host = host
        self.body = Body(model)
        self.signaling = Signaling(self._answer, aes_key=aes_key)
        self.peer: Peer | None = None
        self._runners: list[web.AppRunner] = []
        self._publisher: asyncio.Task[None] | None = None
        self.requests: list[tuple[str, int]] = []

    async def start(self) -> None:
        for app, port in zip(self.signaling.apps(), (CON_PORT, OFFER_PORT), strict=True):
            runner = web.AppRunner(app, access_log=None)
            await runner.setup()
            await web.TCPSite(runner, self.host, port, reuse_address=True).start()
            self._runners.append(runner)
        self._publisher = asyncio.create_task(self._publish())

    async def stop(self) -> None:
        if self._publisher is not None:
            self._publisher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._publisher
        await self._drop_peer()
        for runner in self._runners:
            await runner.cleanup()
        self._runners.clear()

    async def _drop_peer(self) -> None:
        peer, self.peer = self.peer, None
        if peer is not None:
            await peer.pc.close()

    async def _answer(self, offer: dict[str, Any]) -> dict[str, Any]:
        # One peer at a time, like the robot; a new client replaces a dead or old one.
        await self._drop_peer()
        pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        peer = Peer(pc)
        self.peer = peer

        @pc.on("datachannel")
        def on_datachannel(channel: RTCDataChannel) -> None:
            peer.channel = channel

            @channel.on("message")
            def on_message(message: str | bytes) -> None:
                if isinstance(message, str):
                    self._on_message(peer, message)

            self._send(peer, {"type": "validation", "topic": "", "data": peer.key})

        @pc.on("connectionstatechange")
        async def on_state() -> None:
            if pc.connectionState in ("failed", "closed") and self.peer is peer:
                self.peer = None
                await pc.close()

        await pc.setRemoteDescription(RTCSessionDescription(sdp=offer["sdp"], type=offer["type"]))
        await pc.setLocalDescription(await pc.createAnswer())
        return {"sdp": pc.localDescription.sdp, "type": pc.localDescription.type}

    def _send(self, peer: Peer, message: dict[str, Any]) -> None:
        if peer.channel is not None and peer.channel.readyState == "open":
            peer.channel.send(json.dumps(message))

    def _on_message(self, peer: Peer, text: str) -> None:
        try:
            msg = json.loads(text)
            kind, topic, data = msg.get("type"), msg.get("topic", ""), msg.get("data")
        except (ValueError, AttributeError):
            return
        if kind == "validation":
            if data == validation_answer(peer.key):
                peer.validated = True
                self._send(peer, {"type": "validation", "topic": "", "data": "Validation Ok."})
            else:
                self._send(peer, {"type": "err", "topic": "", "info": "Validation Needed."})
            return
        if not peer.validated:
            self._send(peer, {"type": "err", "topic": "", "info": "Validation Needed."})
            return
        if kind == "heartbeat":
            self._send(peer, {"type": "heartbeat", "topic": "", "data": data})
        elif kind == "rtc_inner_req" and isinstance(data, dict):
            info = {**data, "status": "NetworkStatus.ON_WIFI_CONNECTED"}
            self._send(peer, {"type": "rtc_inner_req", "topic": "", "info": info})
        elif kind == "subscribe":
            peer.topics.add(topic)
        elif kind == "unsubscribe":
            peer.topics.discard(topic)
        elif kind == "req" and isinstance(data, dict):
            self._on_request(peer, topic, data)

    def _on_request(self, peer: Peer, topic: str, data: dict[str, Any]) -> None:
        identity = data.get("header", {}).get("identity", {})
        api_id = int(identity.get("api_id", 0))
        self.requests.append((topic, api_id))
        if topic in (SPORT_REQUEST, ARM_REQUEST):
            code = self.body.request(topic, api_id, data.get("parameter", ""), time.monotonic())
        else:
            code = 3103
        header = {"identity": identity, "status": {"code": code}}
        self._send(peer, {"type": "res", "topic": topic, "data": {"header": header, "data": ""}})

    async def _publish(self) -> None:
        tick = 0
        while True:
            await asyncio.sleep(1 / STATE_HZ)
            self.body.advance(time.monotonic())
            peer = self.peer
            if peer is None or not peer.validated:
                continue
            tick += 1
            topics = {SPORT_STATE: self.body.sport_state}
            if tick % LOW_EVERY == 0:
                topics[LOW_STATE] = self.body.low_state
                topics[BMS_STATE] = self.body.bms_state
            for topic, state in topics.items():
                if topic in peer.topics:
                    self._send(peer, {"type": "msg", "topic": topic, "data": state()})


async def run(model: Model, host: str, aes_key: str | None = None) -> None:
    """Serve a simulator until cancelled; prints one line when it listens."""
    sim = Simulator(model, host=host, aes_key=aes_key)
    await sim.start()
    print(f"simulator {model} listening on {host}:{CON_PORT} and {host}:{OFFER_PORT}", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await sim.stop()
