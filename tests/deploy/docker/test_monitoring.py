"""docker/prometheus and docker/grafana: promtool, alert unit tests, and metric names
checked against what a running backend (and agent) really export."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from tests.deploy.helpers import REPO, Backend, run, running_agent, tool

PROMETHEUS = REPO / "docker" / "prometheus"
GRAFANA = REPO / "docker" / "grafana"
DASHBOARDS = sorted((GRAFANA / "dashboards").glob("*.json"))

# Metrics that come from outside Pose Studio: Prometheus itself and the exporters
# in docker-compose.yml (redis_exporter, node_exporter), documented upstream.
EXTERNAL = {
    "up",
    "redis_up",
    "node_filesystem_avail_bytes",
    "node_filesystem_size_bytes",
}
PROMQL_WORDS = {
    "and",
    "or",
    "unless",
    "by",
    "without",
    "on",
    "ignoring",
    "group_left",
    "group_right",
    "bool",
    "offset",
    "inf",
    "nan",
}


def metric_names(expr: str) -> set[str]:
    """The metric names a PromQL expression selects."""
    text = re.sub(r'"(?:[^"\\]|\\.)*"', "", expr)  # strings
    text = re.sub(r"\{[^}]*\}", "", text)  # label matchers
    text = re.sub(r"\[[^\]]*\]", "", text)  # ranges
    text = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", "", text)
    text = re.sub(r"\boffset\s+\w+", "", text)
    text = re.sub(r"(?<![\w:])\d+(\.\d+)?([eE][+-]?\d+)?", "", text)  # numbers
    names = set()
    for match in re.finditer(r"[a-zA-Z_:][a-zA-Z0-9_:]*", text):
        following = text[match.end() :].lstrip()
        if following.startswith("(") or match.group().lower() in PROMQL_WORDS:
            continue
        names.add(match.group())
    return names


def exported(metrics_text: str) -> set[str]:
    """Series names from the HELP/TYPE lines of a /metrics page."""
    names = set()
    for line in metrics_text.splitlines():
        parts = line.split()
        if len(parts) >= 4 and parts[:2] == ["#", "TYPE"]:
            name, kind = parts[2], parts[3]
            names.add(name)
            if kind == "histogram":
                names |= {f"{name}_bucket", f"{name}_sum", f"{name}_count"}
            elif kind == "summary":
                names |= {f"{name}_sum", f"{name}_count"}
            elif kind == "counter" and not name.endswith("_total"):
                names.add(f"{name}_total")
    return names


def alert_rules() -> list[dict[str, Any]]:
    groups = yaml.safe_load((PROMETHEUS / "alerts.yml").read_text())["groups"]
    return [rule for group in groups for rule in group["rules"]]


def dashboard_exprs() -> list[str]:
    exprs = []
    for path in DASHBOARDS:
        for panel in json.loads(path.read_text())["panels"]:
            exprs += [target["expr"] for target in panel.get("targets", [])]
    return exprs


def _scrape(url: str, token: str) -> str:
    response = httpx.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=10)
    response.raise_for_status()
    return response.text


def test_metric_name_extraction() -> None:
    assert metric_names(
        'histogram_quantile(0.95, sum by (le) (rate(pose_server_seconds_bucket{a="b"}[5m])))'
        " > 1e-3 and on (gpu) x_total offset 5m unless up == 0"
    ) == {"pose_server_seconds_bucket", "x_total", "up"}


def _checkable_config(tmp_path: Path) -> Path:
    """prometheus.yml and alerts.yml in a tmp folder, the scrape token file in it too
    (in the stack it is the compose secret at /run/secrets/metrics_token)."""
    shutil.copy(PROMETHEUS / "alerts.yml", tmp_path)
    (tmp_path / "metrics_token").write_text("test-token\n")
    config = (PROMETHEUS / "prometheus.yml").read_text()
    assert config.count("/run/secrets/metrics_token") == 2
    path = tmp_path / "prometheus.yml"
    path.write_text(config.replace("/run/secrets/metrics_token", str(tmp_path / "metrics_token")))
    return path


def test_promtool_accepts_the_config_and_its_rules(tmp_path: Path) -> None:
    result = run([tool("promtool"), "check", "config", str(_checkable_config(tmp_path))])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout and "rules found" in result.stdout


def test_promtool_catches_a_broken_rule(tmp_path: Path) -> None:
    config = _checkable_config(tmp_path)
    alerts = tmp_path / "alerts.yml"
    alerts.write_text(alerts.read_text().replace("expr: up == 0", "expr: up == = 0"))
    assert run([tool("promtool"), "check", "config", str(config)]).returncode != 0


def test_alert_unit_tests_pass() -> None:
    result = run([tool("promtool"), "test", "rules", str(PROMETHEUS / "tests" / "alerts.test.yml")])
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_alerts_the_issue_asks_for_are_there() -> None:
    names = {rule["alert"] for rule in alert_rules()}
    assert {
        "PoseGpuMemoryNearCap",
        "PoseFrameLatencyHigh",
        "PoseDropRateHigh",
        "PoseWebSocketDisconnectSpike",
        "PoseAgentQueueBacklog",
        "PoseTargetDown",
    } <= names
    tested = (PROMETHEUS / "tests" / "alerts.test.yml").read_text()
    for name in (
        "PoseGpuMemoryNearCap",
        "PoseFrameLatencyHigh",
        "PoseDropRateHigh",
        "PoseWebSocketDisconnectSpike",
        "PoseAgentQueueBacklog",
        "PoseTargetDown",
    ):
        assert f"alertname: {name}" in tested, f"{name} has no unit test"


def test_scrape_targets_are_the_compose_services() -> None:
    config = yaml.safe_load((PROMETHEUS / "prometheus.yml").read_text())
    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text())["services"]
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    assert {"backend", "agent", "redis", "node"} <= set(jobs)
    assert jobs["backend"]["metrics_path"] == "/metrics"
    assert jobs["agent"]["metrics_path"] == "/agent/metrics"
    for job in jobs.values():
        for target in job["static_configs"][0]["targets"]:
            host, port = target.split(":")
            assert host == "localhost" or host in compose, target
            if host in compose:
                probe = " ".join(compose[host]["healthcheck"]["test"])
                assert f":{port}" in probe, f"{target}: not the port {host} listens on"
    secret = compose["prometheus"]["secrets"][0]
    assert secret["target"] == jobs["backend"]["authorization"]["credentials_file"]


def test_backend_alerts_and_panels_use_metrics_the_backend_exports(backend: Backend) -> None:
    available = exported(_scrape(f"{backend.url}/metrics", backend.metrics_token)) | EXTERNAL
    used = set()
    for expr in [rule["expr"] for rule in alert_rules()] + dashboard_exprs():
        used |= {name for name in metric_names(expr) if not name.startswith("pose_agent_")}
    assert used, "no metric found in the rules"
    assert used - available == set()


def test_agent_alerts_and_panels_use_metrics_the_agent_exports(
    backend: Backend, tmp_path: Path
) -> None:
    with running_agent(tmp_path, backend) as agent:
        available = exported(_scrape(f"{agent}/agent/metrics", backend.metrics_token))
    used = set()
    for expr in [rule["expr"] for rule in alert_rules()] + dashboard_exprs():
        used |= {name for name in metric_names(expr) if name.startswith("pose_agent_")}
    assert "pose_agent_queue_depth" in used
    assert used - available == set()


@pytest.mark.parametrize("path", DASHBOARDS, ids=lambda p: p.name)
def test_dashboard_uses_the_provisioned_datasource_and_shows_what_operators_need(
    path: Path,
) -> None:
    dashboard = json.loads(path.read_text())
    datasources = yaml.safe_load(
        (GRAFANA / "provisioning" / "datasources" / "prometheus.yml").read_text()
    )["datasources"]
    uids = {source["uid"] for source in datasources}
    ids = [panel["id"] for panel in dashboard["panels"]]
    assert len(ids) == len(set(ids))
    for panel in dashboard["panels"]:
        assert panel["datasource"]["uid"] in uids, panel["title"]
        for target in panel["targets"]:
            assert target["datasource"]["uid"] in uids
    exprs = " ".join(dashboard_exprs())
    for metric in (
        "pose_active_streams",
        "pose_frames_processed_total",
        "pose_server_seconds_bucket",
        "pose_frames_dropped_total",
        "pose_inference_seconds_bucket",
        "pose_errors_total",
        "pose_agent_requests_total",
    ):
        assert metric in exprs, metric
    provider = yaml.safe_load(
        (GRAFANA / "provisioning" / "dashboards" / "posestudio.yml").read_text()
    )["providers"][0]
    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text())["services"]["grafana"]
    assert f"./docker/grafana/dashboards:{provider['options']['path']}:ro" in compose["volumes"]
