"""WebRTC signalling: whether it is on, and an SDP offer answered with a running stream."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends

from posestudio.deps import SettingsDep
from posestudio.protocol.webrtc import WebRTCAnswer, WebRTCInfo, WebRTCOffer
from posestudio.transports.webrtc import DATA_CHANNEL, WebRTCPeers, ice_servers, limits
from posestudio_core.auth import Principal
from posestudio_core.deps import from_state, require
from posestudio_core.permissions import Action

router = APIRouter(prefix="/api", tags=["webrtc"])

PeersDep = Annotated[WebRTCPeers, Depends(from_state("webrtc"))]
StreamStarter = Annotated[Principal, Depends(require(Action.STREAM_START))]


@router.get("/webrtc", response_model=WebRTCInfo)
def webrtc_info(_: StreamStarter, settings: SettingsDep) -> dict[str, Any]:
    """Whether WebRTC is on, the ICE servers (none: host candidates on the LAN), the limits.

    `stream.start`, as the offer: the ICE servers can carry a TURN credential, which is
    for those who may stream (a paired phone's token may), not for every viewer.
    """
    return {
        "enabled": settings.webrtc_enabled,
        "ice_servers": ice_servers(settings),
        "limits": limits(settings),
        "data_channel": DATA_CHANNEL,
    }


@router.post("/webrtc/offer", response_model=WebRTCAnswer)
async def webrtc_offer(
    principal: StreamStarter, peers: PeersDep, offer: WebRTCOffer
) -> dict[str, Any]:
    """Answer an SDP offer: its video track becomes a stream, poses come on its `pose` channel."""
    return await peers.answer(principal, offer.sdp, offer.start)
