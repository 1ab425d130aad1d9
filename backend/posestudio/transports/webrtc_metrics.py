"""The WebRTC peers' counters as `pose_webrtc_*` families, read when Prometheus scrapes."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from posestudio.transports.webrtc import WebRTCPeers


class WebRTCCollector(Collector):
    def __init__(self, peers: WebRTCPeers) -> None:
        self._peers = peers

    def collect(self) -> Iterator[Metric]:
        s = self._peers.snapshot()
        yield GaugeMetricFamily("pose_webrtc_peers", "Connected WebRTC peers", value=s["peers"])
        yield CounterMetricFamily(
            "pose_webrtc_peers_opened", "WebRTC peers answered", value=s["peers_total"]
        )
        yield CounterMetricFamily(
            "pose_webrtc_frames", "Video frames decoded from WebRTC tracks", value=s["frames"]
        )
        yield CounterMetricFamily(
            "pose_webrtc_frames_dropped",
            "WebRTC frames dropped before inference (superseded, rate limited, closed)",
            value=s["dropped"],
        )
        yield CounterMetricFamily(
            "pose_webrtc_received_bytes", "RTP bytes received on WebRTC tracks", value=s["bytes"]
        )
