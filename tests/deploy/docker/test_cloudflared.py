"""docker/cloudflared/config.yml: the tunnel routes what the edge proxies, nothing else."""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml

from tests.deploy.helpers import REPO

CONFIG = REPO / "docker" / "cloudflared" / "config.yml"
NGINX_LOCATIONS = REPO / "nginx" / "snippets" / "posestudio.conf"


def rules() -> list[dict[str, Any]]:
    ingress: list[dict[str, Any]] = yaml.safe_load(CONFIG.read_text())["ingress"]
    return ingress


def route(path: str) -> str:
    """The service cloudflared picks for a path: the first rule whose regex matches."""
    for rule in rules():
        if "path" not in rule or re.search(rule["path"], path):
            return str(rule["service"])
    raise AssertionError("no catch-all rule")


def test_the_last_rule_is_a_404_catch_all_and_no_rule_names_a_host() -> None:
    *specific, last = rules()
    assert last == {"service": "http_status:404"}
    for rule in specific:
        assert "hostname" not in rule, "one file serves both environments' tunnels"
        re.compile(rule["path"])


@pytest.mark.parametrize(
    ("path", "service"),
    [
        ("/socket.io/?EIO=4&transport=websocket", "http://backend:8000"),
        ("/api/engines", "http://backend:8000"),
        ("/ready", "http://backend:8000"),
        ("/health", "http://backend:8000"),
        ("/agent/socket.io/", "http://agent:8001"),
        ("/agent/health", "http://agent:8001"),
        ("/metrics", "http_status:404"),
        ("/agent/metrics", "http_status:404"),
        ("/readyz", "http_status:404"),
        ("/", "http_status:404"),
        ("/index.html", "http_status:404"),
    ],
)
def test_routes(path: str, service: str) -> None:
    assert route(path) == service


def test_services_are_the_compose_services_on_their_ports() -> None:
    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text())["services"]
    for rule in rules():
        match = re.fullmatch(r"http://([\w-]+):(\d+)", rule["service"])
        if match:
            assert match.group(1) in compose
            assert any(
                match.group(2) in str(check)
                for check in compose[match.group(1)]["healthcheck"]["test"]
            )


def test_every_path_the_edge_proxies_reaches_a_service_through_the_tunnel() -> None:
    text = re.sub(r"\$\{\w+\}", "ENV", NGINX_LOCATIONS.read_text())
    proxied = re.findall(r"location (=\s*)?(/[\w./-]*) \{[^}]*proxy_pass", text)
    assert len(proxied) >= 5
    for _, path in proxied:
        assert route(path) != "http_status:404", path
    for path in re.findall(r"location (?:=\s*)?(/[\w./-]*) \{\s*return 404;", text):
        assert route(path) == "http_status:404", f"{path} is closed at the edge only"
