"""nginx/: both environments render, pass `nginx -t` together, and differ only in names."""

from __future__ import annotations

import os
import re
from pathlib import Path

from tests.deploy.helpers import REPO, run, tool
from tests.deploy.nginx.edge import RENDER, render

SITES = REPO / "nginx" / "sites"


def test_shellcheck_passes_on_the_edge_scripts() -> None:
    scripts = sorted(str(p) for p in (REPO / "nginx").glob("*.sh"))
    assert len(scripts) == 2
    result = run([tool("shellcheck"), *scripts])
    assert result.returncode == 0, result.stdout


def test_production_and_staging_pass_nginx_t_together(tmp_path: Path) -> None:
    edge = render(tmp_path, upstream="127.0.0.1:9")
    result = run(edge.nginx("-t"))
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr
    rendered = sorted(p.name for p in (tmp_path / "conf" / "conf.d").iterdir())
    assert rendered == [
        "posestudio-http.conf",
        "posestudio-production.conf",
        "posestudio-staging.conf",
    ]


def test_nginx_t_catches_a_broken_snippet(tmp_path: Path) -> None:
    edge = render(tmp_path, upstream="127.0.0.1:9", environments=("production",))
    snippet = tmp_path / "conf" / "posestudio" / "production" / "proxy.conf"
    snippet.write_text(
        snippet.read_text().replace("proxy_read_timeout 60s;", "proxy_read_timeout;")
    )
    assert run(edge.nginx("-t")).returncode != 0


def test_production_and_staging_differ_only_in_names() -> None:
    production = (SITES / "production.conf").read_text()
    staging = (SITES / "staging.conf").read_text()
    swapped = re.sub("production", lambda m: "staging", production, flags=re.IGNORECASE)
    differing = [
        (a, b)
        for a, b in zip(swapped.splitlines(), staging.splitlines(), strict=True)
        if a.lower() != b.lower()
    ]
    assert differing == [
        (
            '# staging.conf is this file with "staging" replaced by "staging".',
            '# production.conf is this file with "staging" replaced by "production".',
        ),
    ]


def test_hostnames_come_from_the_environment_not_the_repo() -> None:
    for path in [*SITES.glob("*.conf"), REPO / "nginx" / "http.conf"]:
        text = path.read_text()
        for name in re.findall(r"^\s*server_name (.+);", text, re.MULTILINE):
            assert name == "_" or re.fullmatch(r"\$\{[A-Z_]+\}", name), (path.name, name)
        for upstream in re.findall(r"^\s*server (\S+);", text, re.MULTILINE):
            assert re.fullmatch(r"\$\{[A-Z_]+\}", upstream), (path.name, upstream)


def test_render_refuses_without_the_hostnames(tmp_path: Path) -> None:
    result = run([str(RENDER), "staging", str(tmp_path)], env={"PATH": os.environ["PATH"]})
    assert result.returncode != 0
    assert "STAGING_HOSTNAME" in result.stderr
    assert not (tmp_path / "conf.d").exists()


def test_render_takes_the_generic_names_the_workflow_sets(tmp_path: Path) -> None:
    env = {
        "PATH": os.environ["PATH"],
        "POSE_STUDIO_HOSTNAME": "staging.pose.example.com",
        "POSE_STUDIO_TUNNEL_HOSTNAME": "gpu-staging.example.com",
    }
    result = run([str(RENDER), "staging", str(tmp_path)], env=env)
    assert result.returncode == 0, result.stderr
    site = (tmp_path / "conf.d" / "posestudio-staging.conf").read_text()
    assert "server gpu-staging.example.com:443;" in site
    assert "server_name staging.pose.example.com;" in site
    assert "set $posestudio_tunnel_host gpu-staging.example.com;" in site
    assert "set $posestudio_origin https://posestudio_staging;" in site


def test_websocket_upgrade_only_on_the_socket_io_locations() -> None:
    text = (REPO / "nginx" / "snippets" / "posestudio.conf").read_text()
    locations = dict(re.findall(r"location ((?:= )?/[\w./-]*) \{(.*?)\n\}", text, re.DOTALL))
    upgrading = {path for path, body in locations.items() if "websocket.conf" in body}
    assert upgrading == {"/socket.io/", "/agent/socket.io/"}
    websocket = (REPO / "nginx" / "snippets" / "websocket.conf").read_text()
    assert "$connection_upgrade" in websocket
    assert "map $http_upgrade $connection_upgrade" in (REPO / "nginx" / "http.conf").read_text()
