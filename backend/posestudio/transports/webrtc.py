"""WebRTC on the LAN: the camera as a video track (aiortc decodes it), poses on a data channel.

    answer = await peers.answer(owner, sdp, request)   # POST /api/webrtc/offer

Each peer is one connection of the stream manager (`webrtc:<peer id>`) with one stream on
it, so owners, `st_` ids, stats, viewers and recording work as for Socket.IO. Decoded
frames go to the stream's slot as they come: every frame aiortc has decoded by then goes
in within one loop turn, so only the newest stays (the others counted as dropped) and a
worker never takes a frame a newer one has already followed; a worker converts it to RGB.
Replies go back on the client's `pose` data channel: a `pose_v1` message as JSON text, any
other event as `{"event", "data"}`. The sender's pace: a stream started with `credits`
gets them there (`credit` events, `granted` in the ack and poses: the reference client's
track hands its encoder a frame only against one); any other gets a `rate` hint when the
stream is served slower than it sends (`webrtc_rate.py`; the studio lowers its
`maxFramerate`).

Capture time (`webrtc_clock.py`): the sender's RTCP sender reports pair an RTP timestamp
with the sender's wall clock (NTP); a frame's `capture_ts` is that clock at the frame's
RTP timestamp, so it is in the client's clock as on the Socket.IO path. Until the first
report arrives (about a second) frames carry their arrival time.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import av
import orjson
from aiortc import (
    RTCConfiguration,
    RTCDataChannel,
    RTCIceServer,
    RTCPeerConnection,
    RTCRtpReceiver,
    RTCSessionDescription,
)
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
from aiortc.rtp import RtcpSrPacket

from posestudio.errors import BadOffer, PoseStudioError, TooManyPeers, WebRTCDisabled
from posestudio.pipeline import Frame, FrameMeta, StreamManager
from posestudio.pipeline.stream import Stream, StreamState
from posestudio.protocol import StartRequest
from posestudio.settings import Settings
from posestudio.transports import webrtc_jitter
from posestudio.transports.webrtc_clock import SenderClock, rtp_origin
from posestudio.transports.webrtc_rate import RateHint
from posestudio_core.auth import Principal
from posestudio_core.ids import new_id

log = logging.getLogger(__name__)

DATA_CHANNEL = "pose"


def ice_servers(settings: Settings) -> list[dict[str, Any]]:
    """The ICE servers from the settings, as both RTCConfiguration and the browser take them."""
    servers: list[dict[str, Any]] = []
    for url in settings.webrtc_ice_servers:
        server: dict[str, Any] = {"urls": [url]}
        if url.startswith("turn") and settings.webrtc_turn_username:
            server["username"] = settings.webrtc_turn_username
            credential = settings.webrtc_turn_credential
            server["credential"] = credential.get_secret_value() if credential else ""
        servers.append(server)
    return servers


def rtc_configuration(settings: Settings) -> RTCConfiguration:
    # An empty list, not None: aiortc adds a public STUN server when given none.
    return RTCConfiguration(
        iceServers=[
            RTCIceServer(urls=s["urls"], username=s.get("username"), credential=s.get("credential"))
            for s in ice_servers(settings)
        ]
    )


def limits(settings: Settings) -> dict[str, Any]:
    """What a WebRTC client must keep to (GET /api/webrtc)."""
    return {
        "max_peers": settings.webrtc_max_peers,
        "max_width": settings.max_width,
        "max_height": settings.max_height,
        "max_fps": settings.max_fps,
        "max_bitrate_kbps": settings.webrtc_max_bitrate_kbps,
        "idle_timeout_s": settings.webrtc_idle_timeout_s,
    }


def cap_bitrate(sdp: str, kbps: int) -> str:
    """The answer asks the sender for at most `kbps` on video (`b=AS` and `b=TIAS`)."""
    out: list[str] = []
    in_video = False
    for line in sdp.splitlines():
        if line.startswith("m="):
            in_video = line.startswith("m=video")
        elif in_video and line.startswith("b="):
            continue
        out.append(line)
        if in_video and line.startswith("c="):
            out += [f"b=AS:{kbps}", f"b=TIAS:{kbps * 1000}"]
    return "\r\n".join(out) + "\r\n"


@dataclass
class PeerCounters:
    """Totals over every peer, closed ones included (read at scrape time)."""

    peers_total: int = 0
    frames: int = 0
    dropped: int = 0
    bytes: int = 0


@dataclass
class Peer:
    id: str
    pc: RTCPeerConnection
    owner: Principal
    connection: str
    clock: SenderClock = field(default_factory=SenderClock)
    receiver: RTCRtpReceiver | None = None
    channel: RTCDataChannel | None = None
    stream: Stream | None = None
    task: asyncio.Task[None] | None = None
    frames: int = 0
    bytes: int = 0
    unsent: int = 0
    """Replies that found the data channel not open (before it opened, after it closed)."""
    closed: bool = False


_NO_QUEUE_SAID = False


def _decoded(track: MediaStreamTrack) -> list[Any]:
    """The frames aiortc's receiver has decoded and queued on `track` (its private queue;
    a None in it ends the track and is left there for the next `recv`). An aiortc without
    that queue still streams, one frame a `recv`, but a backlog is worked through instead
    of skipped: said once in the log, and `tests/backend/transports/test_webrtc.py`
    fails on it."""
    global _NO_QUEUE_SAID
    queue = getattr(track, "_queue", None)
    if not isinstance(queue, asyncio.Queue):
        if not _NO_QUEUE_SAID:
            _NO_QUEUE_SAID = True
            log.warning("aiortc's track has no frame queue: decoded frames are not drained")
        return []
    frames: list[Any] = []
    while not queue.empty():
        frame = queue.get_nowait()
        if frame is None:
            queue.put_nowait(None)
            break
        frames.append(frame)
    return frames


class WebRTCPeers:
    """Every WebRTC peer: answers offers, feeds decoded frames in, closes idle peers."""

    def __init__(self, settings: Settings, manager: StreamManager) -> None:
        self.settings = settings
        self.manager = manager
        self.peers: dict[str, Peer] = {}
        self.counters = PeerCounters()
        webrtc_jitter.install()
        self._pending = 0

    def snapshot(self) -> dict[str, int]:
        """Peers, frames, drops and bytes, the closed peers' included (for the collector)."""
        live = list(self.peers.values())
        return {
            "peers": len(live),
            "peers_total": self.counters.peers_total,
            "frames": self.counters.frames + sum(p.frames for p in live),
            "dropped": self.counters.dropped
            + sum(p.stream.dropped for p in live if p.stream is not None),
            "bytes": self.counters.bytes + sum(p.bytes for p in live),
        }

    async def answer(self, owner: Principal, sdp: str, request: StartRequest) -> dict[str, Any]:
        """Start a stream fed by the offer's video track; the SDP answer and the start ack."""
        settings = self.settings
        if not settings.webrtc_enabled:
            raise WebRTCDisabled("WebRTC is off on this server: use Socket.IO")
        if len(self.peers) + self._pending >= settings.webrtc_max_peers:
            raise TooManyPeers(
                f"at most {settings.webrtc_max_peers} WebRTC peers: use Socket.IO",
                details={"limit": settings.webrtc_max_peers},
            )
        self._pending += 1
        try:
            return await self._answer(owner, sdp, request)
        finally:
            self._pending -= 1

    async def _answer(self, owner: Principal, sdp: str, request: StartRequest) -> dict[str, Any]:
        peer_id = new_id("pc_")
        pc = RTCPeerConnection(rtc_configuration(self.settings))
        peer = Peer(peer_id, pc, owner, f"webrtc:{peer_id}")
        try:
            try:
                await pc.setRemoteDescription(RTCSessionDescription(sdp=sdp, type="offer"))
            except Exception as exc:  # aiortc raises whatever its SDP parser meets
                raise BadOffer(
                    "the offer is not valid SDP", details={"reason": str(exc)[:200]}
                ) from None
            video = [t for t in pc.getTransceivers() if t.kind == "video"]
            if not video or video[0].receiver.track is None:
                raise BadOffer("the offer has no video track", details={"reason": "no video"})
            receiver = video[0].receiver
            self._listen(peer, receiver)
            self.manager.open_connection(peer.connection)
            peer.stream = await self.manager.start(
                owner, peer.connection, request, self._channel(peer)
            )
            try:
                await pc.setLocalDescription(await pc.createAnswer())
            except Exception as exc:
                raise BadOffer(
                    "the offer cannot be answered", details={"reason": str(exc)[:200]}
                ) from None
        except BaseException:
            await self.manager.stop_connection(peer.connection)
            await pc.close()
            raise
        self.peers[peer_id] = peer
        self.counters.peers_total += 1
        peer.task = asyncio.get_running_loop().create_task(
            self._consume(peer, receiver.track), name=f"webrtc-{peer_id}"
        )
        stream = peer.stream
        local = pc.localDescription
        log.info("webrtc peer %s: stream %s (%s)", peer_id, stream.id, stream.name)
        return {
            "type": "answer",
            "sdp": cap_bitrate(local.sdp, self.settings.webrtc_max_bitrate_kbps),
            "peer": peer_id,
            "stream": {
                "ok": True,
                "stream_id": stream.name,
                "id": stream.id,
                "engine": stream.engine_name,
                "smoothing": request.smoothing_config() is not None,
                "limits": {**self.manager.limits(), **limits(self.settings)},
                **({"granted": stream.granted} if request.credits else {}),
            },
        }

    def _listen(self, peer: Peer, receiver: RTCRtpReceiver) -> None:
        pc = peer.pc

        @pc.on("datachannel")  # type: ignore[misc]
        def on_datachannel(channel: RTCDataChannel) -> None:
            if channel.label == DATA_CHANNEL:
                peer.channel = channel

        @pc.on("connectionstatechange")  # type: ignore[misc]
        async def on_state() -> None:
            if pc.connectionState in ("failed", "closed"):
                await self.close(peer)

        # The sender reports (capture clock) and the bytes received: aiortc keeps the
        # first to itself and counts the second only per getStats() call, so the two
        # handlers are wrapped on this receiver alone.
        handle_rtcp: Callable[[Any], Awaitable[None]] = receiver._handle_rtcp_packet
        handle_rtp: Callable[..., Awaitable[None]] = receiver._handle_rtp_packet

        async def on_rtcp(packet: Any) -> None:
            if isinstance(packet, RtcpSrPacket):
                info = packet.sender_info
                peer.clock.sender_report(info.rtp_timestamp, info.ntp_timestamp)
            await handle_rtcp(packet)

        async def on_rtp(packet: Any, *args: Any, **kwargs: Any) -> None:
            peer.bytes += len(packet.payload) + 12  # the fixed RTP header
            await handle_rtp(packet, *args, **kwargs)

        receiver._handle_rtcp_packet = on_rtcp  # type: ignore[method-assign]
        receiver._handle_rtp_packet = on_rtp  # type: ignore[method-assign]
        peer.receiver = receiver

    def _channel(self, peer: Peer) -> Callable[[str, dict[str, Any]], Awaitable[None]]:
        async def send(event: str, payload: dict[str, Any]) -> None:
            channel = peer.channel
            if channel is None or channel.readyState != "open":
                peer.unsent += 1
                return
            message = payload if event == "pose" else {"event": event, "data": payload}
            channel.send(orjson.dumps(message).decode())

        return send

    async def _consume(self, peer: Peer, track: MediaStreamTrack) -> None:
        """Decoded frames to the stream's slot until the track ends or goes idle."""
        assert peer.stream is not None
        stream, timeout = peer.stream, self.settings.webrtc_idle_timeout_s
        rate = None if stream.options.credits else RateHint(self.settings.max_fps)
        try:
            while True:
                try:
                    async with asyncio.timeout(timeout):
                        first = await track.recv()
                except MediaStreamError:
                    break
                except TimeoutError:
                    log.info("webrtc peer %s: no frame for %.0f s, closing", peer.id, timeout)
                    break
                # Every frame decoded meanwhile, in order and within this loop turn: the
                # slot keeps the newest (the others count as superseded, and with credits
                # as received), and no worker takes one that a newer frame has followed.
                errors: list[PoseStudioError] = []
                for video in (first, *_decoded(track)):
                    if isinstance(video, av.VideoFrame):
                        self._submit(peer, video, errors)
                for exc in errors[:1]:  # one a turn (a rate limit says so once a second)
                    await self.manager.error(stream, exc)
                if stream.state is not StreamState.RUNNING:
                    break
                if rate is not None:
                    await self._hint(peer, rate)
        finally:
            await self.close(peer, from_task=True)

    def _submit(self, peer: Peer, video: av.VideoFrame, errors: list[PoseStudioError]) -> None:
        stream = peer.stream
        assert stream is not None
        frame = Frame(
            meta=FrameMeta(seq=peer.frames, capture_ts=self._capture_ms(peer, video.pts)),
            received=time.monotonic(),
            video=video,
        )
        peer.frames += 1
        if stream.state is not StreamState.RUNNING:
            return
        try:
            self.manager.submit(stream, frame)
        except PoseStudioError as exc:
            errors.append(exc)

    async def _hint(self, peer: Peer, rate: RateHint) -> None:
        stream = peer.stream
        assert stream is not None
        superseded = stream.dropped_by["superseded"]
        hint = rate.update(time.monotonic(), stream.processed, superseded)
        if hint is not None:
            await self._channel(peer)("rate", {"stream_id": stream.name, "max_fps": hint})

    def _capture_ms(self, peer: Peer, pts: int | None) -> float:
        origin = rtp_origin(peer.receiver) if peer.receiver is not None else None
        if pts is not None and origin is not None:
            captured = peer.clock.capture_ms((origin + pts) % 2**32)
            if captured is not None:
                return round(captured, 3)
        return round(time.time() * 1000, 3)

    async def close(self, peer: Peer, *, from_task: bool = False) -> None:
        if peer.closed:
            return
        peer.closed = True
        self.peers.pop(peer.id, None)
        c = self.counters
        c.frames += peer.frames
        c.bytes += peer.bytes
        c.dropped += peer.stream.dropped if peer.stream is not None else 0
        if peer.task is not None and not from_task:
            peer.task.cancel()
        await self.manager.stop_connection(peer.connection)
        with contextlib.suppress(Exception):
            await peer.pc.close()
        log.info("webrtc peer %s closed after %d frames", peer.id, peer.frames)

    async def close_all(self) -> None:
        await asyncio.gather(*(self.close(p) for p in list(self.peers.values())))
