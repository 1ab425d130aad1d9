"""One robot's WebRTC link through `unitree_webrtc_connect`, with what the package lacks.

Only the robot service imports this module: importing the package patches aioice and
aiortc for the whole process. Added here: the LAN signaling (blocking HTTP in the package)
runs in a thread so the other robots' envelopes keep ticking; requests get our own unique
ids and our own timeout (`publish_request_new` has neither); a send on a closed channel
raises ROBOT_OFFLINE (the package drops it silently).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import secrets
from collections.abc import Callable
from typing import Any

from unitree_webrtc_connect import UnitreeWebRTCConnection, WebRTCConnectionMethod
from unitree_webrtc_connect.multicast_scanner import discover_ip_sn
from unitree_webrtc_connect.unitree_auth import send_sdp_to_local_peer

from posestudio_core.errors import RobotOffline, RobotRefused, RobotTimeout
from posestudio_robot.commands import Request
from posestudio_robot.models import RobotConfig
from posestudio_robot.settings import RobotSettings

log = logging.getLogger(__name__)

METHODS = {
    "local_sta": WebRTCConnectionMethod.LocalSTA,
    "local_ap": WebRTCConnectionMethod.LocalAP,
    "remote": WebRTCConnectionMethod.Remote,
}
DEVICE_TYPES = {"go2": "Go2", "g1": "G1"}
# Our request ids: unique within a process, never the package's repeating ones.
_ids = itertools.count(secrets.randbelow(1 << 30) + 1)


class _Connection(UnitreeWebRTCConnection):  # type: ignore[misc]
    """The package's connection, with its blocking LAN signaling moved off the loop."""

    async def get_answer_from_local_peer(self, pc: Any, ip: str) -> str | None:
        offer = pc.localDescription
        body = json.dumps(
            {
                "id": "STA_localNetwork"
                if self.connectionMethod == WebRTCConnectionMethod.LocalSTA
                else "",
                "sdp": offer.sdp,
                "type": offer.type,
                "token": self.token,
            }
        )
        answer: str | None = await asyncio.to_thread(
            send_sdp_to_local_peer, ip, body, aes_128_key=self.aes_128_key
        )
        return answer


class UnitreeDriver:
    """Connect, send, request and subscribe for one robot."""

    def __init__(self, config: RobotConfig, settings: RobotSettings) -> None:
        self.config = config
        self.settings = settings
        self._conn: Any = None

    async def connect(self) -> None:
        config, settings = self.config, self.settings
        ip = config.address
        if config.method == "local_sta" and not ip:
            if not config.serial:
                raise RobotOffline("a local_sta robot needs an address or a serial")
            found = await asyncio.to_thread(
                discover_ip_sn, device_type=DEVICE_TYPES[config.model], sn=config.serial
            )
            ip = (found or {}).get(config.serial)
            if not ip:
                raise RobotOffline(f"serial {config.serial} not found on the LAN")
        remote = config.method == "remote"
        password = settings.cloud_password.get_secret_value() if settings.cloud_password else None
        conn = await asyncio.to_thread(
            _Connection,
            METHODS[config.method],
            serialNumber=config.serial,
            ip=ip,
            username=settings.cloud_email if remote else None,
            password=password if remote else None,
            aes_128_key=config.aes_key,
            region=settings.cloud_region,
            device_type=DEVICE_TYPES[config.model],
        )
        self._conn = conn
        try:
            await asyncio.wait_for(conn.connect(), settings.connect_timeout_s)
        except BaseException:
            await self.close()
            raise

    @property
    def connected(self) -> bool:
        conn = self._conn
        if conn is None or conn.pc is None:
            return False
        return bool(
            conn.pc.connectionState == "connected"
            and conn.datachannel.channel.readyState == "open"
            and conn.datachannel.data_channel_opened
        )

    def _channel(self) -> Any:
        if not self.connected:
            raise RobotOffline("the robot's data channel is closed")
        return self._conn.datachannel.channel

    @staticmethod
    def _payload(request: Request, request_id: int) -> dict[str, Any]:
        _topic, api_id, parameter = request
        return {
            "header": {"identity": {"id": request_id, "api_id": api_id}},
            "parameter": parameter if isinstance(parameter, str) else json.dumps(parameter),
        }

    def send(self, request: Request) -> None:
        """Send a request without waiting for its answer (the moves, at the send rate)."""
        channel = self._channel()
        message = {"type": "req", "topic": request[0], "data": self._payload(request, next(_ids))}
        channel.send(json.dumps(message))

    async def request(self, request: Request) -> dict[str, Any]:
        """Send a request and wait for its answer: ROBOT_TIMEOUT, or ROBOT_REFUSED on an error."""
        self._channel()
        request_id = next(_ids)
        pub_sub = self._conn.datachannel.pub_sub
        timeout = self.settings.request_timeout_ms / 1000
        try:
            answer: dict[str, Any] = await asyncio.wait_for(
                pub_sub.publish(request[0], self._payload(request, request_id), "req"), timeout
            )
        except TimeoutError:
            raise RobotTimeout(f"no answer to api {request[1]} in {timeout:.1f} s") from None
        finally:
            pub_sub.future_resolver.pending_callbacks.pop(request_id, None)
        status = answer.get("data", {}).get("header", {}).get("status", {})
        code = status.get("code", 0) if isinstance(status, dict) else 0
        if code:
            raise RobotRefused(f"the robot refused api {request[1]}", details={"code": code})
        return answer

    def subscribe(self, topic: str, callback: Callable[[str, Any], None]) -> None:
        def on_message(message: dict[str, Any]) -> None:
            callback(topic, message.get("data"))

        self._channel()
        self._conn.datachannel.pub_sub.subscribe(topic, on_message)

    async def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                await conn.disconnect()
            except Exception:  # a half-open link: nothing more to close
                log.debug("closing %s", self.config.id, exc_info=True)
