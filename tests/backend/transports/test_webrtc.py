"""WebRTC on loopback: real aiortc peers, the real person video as a track, poses on `pose`."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aioice.ice
import av
import httpx
import numpy as np
import orjson
import pytest
from aiortc import RTCConfiguration, RTCPeerConnection

from posestudio.client import PoseClient, PoseClientError
from posestudio.client.sources import read_frames, test_video_path
from posestudio.client.webrtc import WebRTCPoseClient
from posestudio.imaging import decode_jpeg
from posestudio.pairing.book import PHONE_SCOPES
from posestudio.sessions.service import Sessions
from posestudio.settings import Settings
from posestudio.storage.local import LocalStorage
from posestudio_core.auth import Principal
from tests.utils.frames import next_event, send_and_wait, video_jpegs
from tests.utils.principals import TokensAuthenticator
from tests.utils.server import TOKEN, LiveServer, wait_for

VIEWER_TOKEN = "viewer-token-0123456789abcdef"
PHONE_TOKEN = "phone-token-0123456789abcdef0"
FRAMES = 45
# ICE, DTLS and SCTP in Python on two cores shared with other suites: generous.
OPEN_S = 30.0


@pytest.fixture(scope="module", autouse=True)
def loopback_candidates() -> Iterator[None]:
    """aioice leaves 127.0.0.1 out of its host candidates; here both peers live on loopback
    (the server runs in this process), so that is the one address offered."""
    original = aioice.ice.get_host_addresses
    aioice.ice.get_host_addresses = lambda use_ipv4, use_ipv6: ["127.0.0.1"]
    yield
    aioice.ice.get_host_addresses = original


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    authenticator = TokensAuthenticator(
        {
            TOKEN: Principal(subject="token", role="admin"),
            VIEWER_TOKEN: Principal(subject="user:v", role="viewer"),
            PHONE_TOKEN: Principal(subject="user:p", role="operator", scopes=PHONE_SCOPES),
        }
    )
    data: Path = tmp_path_factory.mktemp("webrtc")
    settings = Settings(
        environment="test",
        max_fps=240,
        workers=2,
        webrtc_max_peers=1,
        webrtc_idle_timeout_s=3,
        data_dir=data,
        database_url=f"sqlite:///{data / 'posestudio.db'}",
    )
    sessions = Sessions(settings, storage=LocalStorage(data))
    server = LiveServer(settings, authenticator=authenticator, sessions=sessions).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def video() -> list[np.ndarray]:
    return list(read_frames(test_video_path(), size=(640, 480), limit=FRAMES))


def metric(live: LiveServer, name: str) -> float:
    for line in live.get("/metrics").text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    raise AssertionError(f"{name} not in /metrics")


def no_peers(live: LiveServer) -> None:
    wait_for(lambda: metric(live, "pose_webrtc_peers") == 0, 15, "the peer to close")


def offer(live: LiveServer, body: Any, token: str | None = TOKEN) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.post(f"{live.url}/api/webrtc/offer", json=body, headers=headers, timeout=10)


async def test_the_video_track_gets_its_poses_on_the_data_channel(
    live: LiveServer, video: list[np.ndarray]
) -> None:
    poses: dict[int, dict[str, Any]] = {}
    frame_at: dict[float, int] = {}  # capture time -> the video's frame index
    async with WebRTCPoseClient(live.url, TOKEN, connect_timeout=OPEN_S) as client:
        ack = await client.start({"stream_id": "cam"})
        assert ack["ok"] and ack["stream_id"] == "cam" and ack["id"].startswith("st_")
        # A normal pipeline stream: listed with its owner like a Socket.IO one, and
        # watched on /pose by its id.
        listed = live.get("/api/streams").json()["streams"]
        assert [s["id"] for s in listed] == [ack["id"]]
        viewer = PoseClient(live.url, TOKEN)
        await viewer.connect()
        assert (await viewer.call_raw("watch", {"stream": ack["id"]}))["ok"]
        # Recorded with its frames, by its server-wide id as the studio records a WebRTC
        # tile from its Socket.IO connection.
        recording = await viewer.call_raw("record", {"streams": [ack["id"]], "video": True})
        assert recording["ok"], recording
        for index, rgb in enumerate(video):
            captured = time.time()
            frame_at[captured] = index
            client.send(rgb, captured)
            # A moderate rate: the next frame once the one before this has its pose, or
            # after a second.
            with contextlib.suppress(TimeoutError):
                while index > 0:
                    message = await client.next(timeout=1.0)
                    assert message.event == "pose", message.data
                    poses[message.data["seq"]] = message.data
                    if message.data["seq"] >= len(client.track.captured) - 2:
                        break
        with contextlib.suppress(TimeoutError):
            while True:
                message = await client.next(timeout=2)
                poses[message.data["seq"]] = message.data
        watched = await next_event(viewer, "pose", timeout=10)
        assert watched.data["stream_id"] == "cam" and watched.data["seq"] in poses
        stopped = await viewer.call_raw("stop_record", {"session_id": recording["session"]["id"]})
        await viewer.close()
    # The frames the track's encoder took (the newest replaces one it has not taken yet),
    # numbered by the server in order.
    taken = client.track.captured
    assert len(taken) >= 0.8 * len(video)
    assert len(poses) >= 0.95 * (len(taken) - 1), sorted(set(range(len(taken))) - set(poses))
    assert all(p["persons"] and p["image"] == {"width": 640, "height": 480} for p in poses.values())
    # capture_ts is the sender's clock (from its RTCP sender reports) at the frame's RTP
    # time: not before the capture, and late by at most aiortc's encode time (its reports
    # pair the RTP time with the moment of sending).
    offsets = {s: p["capture_ts"] - taken[s] * 1000 for s, p in poses.items() if s > 20}
    assert all(-5 < ms < 300 for ms in offsets.values()), offsets
    no_peers(live)
    assert metric(live, "pose_webrtc_frames_total") >= len(poses)
    assert metric(live, "pose_webrtc_received_bytes_total") > 10_000
    assert live.get("/api/streams").json()["streams"] == []

    # The session holds what the stream served, as over Socket.IO: every pose, and each
    # frame as a JPEG of the decoded image the pose was inferred on.
    assert stopped["ok"] and stopped["session"]["status"] == "complete", stopped
    (part,) = stopped["session"]["streams"]
    assert part["image"] == {"width": 640, "height": 480}
    base = f"/api/sessions/{stopped['session']['id']}/streams/{part['key']}"
    recorded = [orjson.loads(x)["pose"] for x in live.get(f"{base}/poses").text.splitlines()]
    assert {p["seq"] for p in recorded} >= set(poses) and part["frames"] == len(recorded)
    assert all(p == poses[p["seq"]] for p in recorded if p["seq"] in poses)
    for index in (0, len(recorded) - 1):
        jpeg = live.get(f"{base}/frames/{index}")
        assert jpeg.headers["content-type"] == "image/jpeg"
        image = decode_jpeg(jpeg.content, max_width=640, max_height=480)
        shown = video[frame_at[taken[recorded[index]["seq"]]]]
        assert image.shape == (480, 640, 3)
        assert np.abs(image.astype(int) - shown).mean() < 12  # VP8, then JPEG

    # The same frames over Socket.IO: equal landmarks within what VP8 loses.
    async with PoseClient(live.url, TOKEN) as sio:
        await sio.start("jpeg")
        jpegs = video_jpegs(640, 480)
        for seq in sorted(poses)[::9]:
            over_sio = (await send_and_wait(sio, "jpeg", jpegs[frame_at[taken[seq]]])).data
            a = np.array(poses[seq]["persons"][0]["landmarks"])[:13, :2]
            b = np.array(over_sio["persons"][0]["landmarks"])[:13, :2]
            assert np.abs(a - b).mean() < 0.02, (seq, np.abs(a - b).mean())


async def test_a_peer_that_stops_sending_is_closed(
    live: LiveServer, video: list[np.ndarray]
) -> None:
    async with WebRTCPoseClient(live.url, TOKEN, connect_timeout=OPEN_S) as client:
        await client.start({"stream_id": "idle"})
        # Frames until the first pose (the first ones may come before ICE settles).
        for rgb in video:
            client.send(rgb)
            with contextlib.suppress(TimeoutError):
                assert (await client.next(timeout=0.3)).event == "pose"
                break
        # Nothing more: the server closes the peer after webrtc_idle_timeout_s (3 s).
        no_peers(live)
        assert live.get("/api/streams").json()["streams"] == []


async def test_one_peer_too_many_is_refused(live: LiveServer, video: list[np.ndarray]) -> None:
    async with WebRTCPoseClient(live.url, TOKEN, connect_timeout=OPEN_S) as first:
        await first.start({"stream_id": "a"})
        with pytest.raises(PoseClientError) as refused:
            async with WebRTCPoseClient(live.url, TOKEN, connect_timeout=OPEN_S) as second:
                await second.start({"stream_id": "b"})
        assert refused.value.code == "TOO_MANY_PEERS"
        assert refused.value.error["details"] == {"limit": 1}
    no_peers(live)


async def _offer_sdp(video: bool) -> str:
    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    pc.createDataChannel("pose")
    if video:
        pc.addTransceiver("video", direction="sendonly")
    await pc.setLocalDescription(await pc.createOffer())
    sdp: str = pc.localDescription.sdp
    await pc.close()
    return sdp


async def test_bad_offers_get_structured_errors(live: LiveServer) -> None:
    garbage = offer(live, {"sdp": "v=0\r\nnot sdp at all", "start": {"stream_id": "x"}})
    assert garbage.status_code == 400
    assert garbage.json()["error"]["code"] == "BAD_OFFER"
    no_video = offer(live, {"sdp": await _offer_sdp(False), "start": {"stream_id": "x"}})
    assert no_video.status_code == 400
    assert no_video.json()["error"]["code"] == "BAD_OFFER"
    assert no_video.json()["error"]["details"] == {"reason": "no video"}
    assert live.get("/api/streams").json()["streams"] == []
    assert metric(live, "pose_webrtc_peers") == 0


async def test_offers_need_the_right_to_stream(live: LiveServer) -> None:
    sdp = await _offer_sdp(True)
    anonymous = offer(live, {"sdp": sdp, "start": {"stream_id": "x"}}, token=None)
    assert anonymous.status_code == 401
    assert anonymous.json()["error"]["code"] == "UNAUTHORIZED"
    viewer = offer(live, {"sdp": sdp, "start": {"stream_id": "x"}}, token=VIEWER_TOKEN)
    assert viewer.status_code == 403
    assert viewer.json()["error"]["code"] == "FORBIDDEN"
    # Nor read the WebRTC settings: their ICE servers may hold a TURN credential.
    refused = live.get("/api/webrtc", headers={"Authorization": f"Bearer {VIEWER_TOKEN}"})
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "FORBIDDEN"
    info = live.get("/api/webrtc", headers={"Authorization": f"Bearer {TOKEN}"}).json()
    assert info == {
        "enabled": True,
        "ice_servers": [],
        "limits": {
            "max_peers": 1,
            "max_width": 1920,
            "max_height": 1920,
            "max_fps": 240.0,
            "max_bitrate_kbps": 2500,
            "idle_timeout_s": 3.0,
        },
        "data_channel": "pose",
    }
    # So may a paired phone's stream-only token (the capture page streams over WebRTC too).
    phone = live.get("/api/webrtc", headers={"Authorization": f"Bearer {PHONE_TOKEN}"})
    assert phone.status_code == 200 and phone.json() == info


def test_a_server_with_webrtc_off_says_so() -> None:
    settings = Settings(environment="test", webrtc_enabled=False, engines=["mediapipe"])
    server = LiveServer(settings).start()
    try:
        assert server.get("/api/webrtc").json()["enabled"] is False
        refused = offer(server, {"sdp": "v=0", "start": {"stream_id": "x"}})
        assert refused.status_code == 409
        assert refused.json()["error"]["code"] == "WEBRTC_DISABLED"
    finally:
        server.stop()


async def test_the_reference_client_streams_a_file_over_webrtc(live: LiveServer) -> None:
    from posestudio.client.webrtc import stream_source_webrtc

    report = await stream_source_webrtc(
        test_video_path(), url=live.url, token=TOKEN, fps=15, size=(320, 240), out=None, limit=20
    )
    assert report.sent == 20
    # Every frame got its pose, or was replaced by a newer one (in the track, or in the
    # stream's slot while the server was busy: latest frame wins); the last one or two
    # may still be on their way when the client closes.
    assert report.poses >= 1 and report.with_person == report.poses
    assert report.poses + report.dropped + report.skipped >= report.sent - 2
    assert report.errors == []
    assert report.bytes_sent is not None and report.bytes_sent > 5_000
    # Latency from the sender's clock (RTCP): positive and below a second on loopback.
    assert report.latency_p50 is not None and 0 < report.latency_p50 < 1000
    no_peers(live)


async def test_the_frames_aiortc_decoded_meanwhile_are_drained_from_its_track() -> None:
    """`_decoded` reads aiortc's private per-track queue: if an aiortc upgrade renames it,
    this fails (the server would still stream, but work through a backlog)."""
    from aiortc.rtcrtpreceiver import RemoteStreamTrack

    from posestudio.transports.webrtc import _decoded

    track = RemoteStreamTrack(kind="video")
    queue = track._queue
    assert isinstance(queue, asyncio.Queue)
    frames = [av.VideoFrame(16, 16, "yuv420p") for _ in range(3)]
    for frame in frames:
        queue.put_nowait(frame)
    queue.put_nowait(None)  # the track's end stays for the next recv
    assert _decoded(track) == frames
    assert queue.get_nowait() is None
