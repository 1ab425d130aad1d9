"""The service's `/health` and `/metrics` (`pose_robot_*`, collected at scrape time)."""

from __future__ import annotations

from collections.abc import Iterator

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from posestudio_core.auth import scrape_allowed
from posestudio_robot.link import BackendLink
from posestudio_robot.settings import RobotSettings


class RobotCollector(Collector):
    def __init__(self, link: BackendLink) -> None:
        self._link = link

    def collect(self) -> Iterator[Metric]:
        backend = GaugeMetricFamily(
            "pose_robot_backend_connected", "1 while the link to the backend is up"
        )
        backend.add_metric([], 1.0 if self._link.sio.connected else 0.0)
        yield backend
        labels = ["robot", "model"]
        connected = GaugeMetricFamily(
            "pose_robot_connected", "1 while the robot is online (or e-stopped)", labels=labels
        )
        battery = GaugeMetricFamily(
            "pose_robot_battery_percent", "The robot's state of charge", labels=labels
        )
        commands = CounterMetricFamily(
            "pose_robot_commands", "Commands the robot service ran", labels=labels
        )
        estops = CounterMetricFamily("pose_robot_estops", "E-stops", labels=labels)
        clamps = CounterMetricFamily(
            "pose_robot_clamps", "Velocity targets the envelope clamped", labels=labels
        )
        for runner in self._link.fleet.runners.values():
            key = [runner.robot_id, runner.config.model]
            connected.add_metric(key, 1.0 if runner.status in ("online", "estopped") else 0.0)
            if runner.telemetry.battery.soc is not None:
                battery.add_metric(key, runner.telemetry.battery.soc)
            commands.add_metric(key, runner.commands)
            estops.add_metric(key, runner.estops)
            clamps.add_metric(key, runner.envelope.clamps)
        yield from (connected, battery, commands, estops, clamps)


def health_app(settings: RobotSettings, link: BackendLink) -> web.Application:
    registry = CollectorRegistry(auto_describe=True)
    registry.register(RobotCollector(link))

    async def health(request: web.Request) -> web.Response:
        robots = {r.robot_id: r.status for r in link.fleet.runners.values()}
        return web.json_response({"backend": link.sio.connected, "robots": robots})

    async def metrics(request: web.Request) -> web.Response:
        expected = settings.metrics_token.get_secret_value() if settings.metrics_token else None
        if not scrape_allowed(expected, request.headers.get("Authorization")):
            raise web.HTTPUnauthorized(text="missing or wrong metrics token")
        body = generate_latest(registry)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    app = web.Application()
    app.router.add_get("/health", health)
    app.router.add_get("/metrics", metrics)
    return app
