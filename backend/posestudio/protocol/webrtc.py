"""WebRTC over HTTP (docs/protocol.md, "WebRTC"): the offer in, the answer out."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from posestudio.protocol.messages import Message, StartRequest


class WebRTCOffer(Message):
    """POST /api/webrtc/offer: an SDP offer with one video track and a `pose` data channel,
    and the stream's options as for `start`."""

    type: Literal["offer"] = "offer"
    sdp: str = Field(min_length=1, max_length=64 * 1024)
    start: StartRequest


class WebRTCAnswer(Message):
    """The answer to a `WebRTCOffer`: the SDP answer, the peer's id and the start ack."""

    type: Literal["answer"] = "answer"
    sdp: str
    peer: str = Field(description="the peer's id (`pc_…`); the stream's connection")
    stream: dict[str, Any] = Field(description="as the acknowledgement of `start`")


class WebRTCInfo(Message):
    """GET /api/webrtc: whether WebRTC is on, the ICE servers to use and the limits."""

    enabled: bool
    ice_servers: list[dict[str, Any]] = Field(
        description="RTCIceServer objects (`urls`, and `username`/`credential` for TURN)"
    )
    limits: dict[str, Any] = Field(
        description="max_peers, max_width, max_height, max_fps, max_bitrate_kbps, idle_timeout_s"
    )
    data_channel: str = Field(description="the label of the channel the poses come on")
