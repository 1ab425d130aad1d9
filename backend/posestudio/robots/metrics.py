"""`pose_robot_*` metrics, read from the hub when Prometheus scrapes."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from posestudio.robots.hub import RobotHub


class RobotCollector(Collector):
    def __init__(self, hub: RobotHub) -> None:
        self._hub = hub

    def collect(self) -> Iterator[Metric]:
        hub, stats = self._hub, self._hub.stats
        connected = GaugeMetricFamily(
            "pose_robot_connected", "Robots a robot service holds a link to", labels=["model"]
        )
        by_model: dict[str, int] = {"go2": 0, "g1": 0}
        battery = GaugeMetricFamily(
            "pose_robot_battery_ratio", "State of charge, 0..1", labels=["robot"]
        )
        for state in hub.robots.values():
            by_model[state.config.model] += int(state.online)
            soc = ((state.telemetry or {}).get("battery") or {}).get("soc")
            if isinstance(soc, int | float):
                battery.add_metric([state.config.name], float(soc) / 100.0)
        for model, count in by_model.items():
            connected.add_metric([model], count)
        yield connected
        yield battery
        yield GaugeMetricFamily(
            "pose_robot_services", "Robot services connected", value=len(hub.services)
        )
        yield GaugeMetricFamily(
            "pose_robot_leases",
            "Robots under someone's control",
            value=sum(1 for s in hub.robots.values() if s.lease is not None),
        )
        commands = CounterMetricFamily(
            "pose_robot_commands", "Commands sent to robot services", labels=["kind"]
        )
        for kind, count in sorted(stats.commands.items()):
            commands.add_metric([kind], count)
        yield commands
        refused = CounterMetricFamily(
            "pose_robot_refused", "Robot events and commands refused", labels=["code"]
        )
        for code, count in sorted(stats.refused.items()):
            refused.add_metric([code], count)
        yield refused
        yield CounterMetricFamily("pose_robot_estops", "E-stops", value=stats.estops)
        yield CounterMetricFamily(
            "pose_robot_clamps", "Commands the safety envelope clamped", value=stats.clamps
        )
        yield CounterMetricFamily(
            "pose_robot_telemetry_sent",
            "Telemetry messages sent to the studio",
            value=stats.telemetry_out,
        )
        yield CounterMetricFamily(
            "pose_robot_audit_rows", "Robot audit rows written", value=hub.audit.rows
        )
