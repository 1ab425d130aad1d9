"""Render the edge nginx configuration with test values and run a real nginx on it."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.deploy.helpers import REPO, free_port, run, tool, wait_until

RENDER = REPO / "nginx" / "render.sh"
HOSTNAMES = {"production": "localhost", "staging": "staging.localhost"}


@dataclass(frozen=True)
class Edge:
    """A rendered nginx prefix: conf/nginx.conf includes every rendered environment."""

    root: Path
    https_port: int
    http_port: int

    @property
    def conf(self) -> Path:
        return self.root / "conf" / "nginx.conf"

    @property
    def ca(self) -> Path:
        return self.root / "tls" / "ca.pem"

    def nginx(self, *args: str) -> list[str]:
        return [
            tool("nginx"),
            "-c",
            str(self.conf),
            "-e",
            str(self.root / "logs" / "error.log"),
            *args,
        ]


def _certificate(tls: Path, hostname: str) -> None:
    folder = tls / hostname
    folder.mkdir(parents=True)
    result = run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            f"/CN={hostname}",
            "-addext",
            f"subjectAltName=DNS:{hostname}",
            "-keyout",
            str(folder / "privkey.pem"),
            "-out",
            str(folder / "fullchain.pem"),
        ]
    )
    assert result.returncode == 0, result.stderr


def render(
    root: Path,
    *,
    upstream: str,
    studio: Path | None = None,
    environments: tuple[str, ...] = ("production", "staging"),
) -> Edge:
    """Render the given environments into `root` as nginx would load them on the VM,
    with loopback ports, a self-signed certificate per hostname and `upstream`
    (host:port, plain HTTP) standing in for the tunnel."""
    edge = Edge(root=root, https_port=free_port(), http_port=free_port())
    for folder in ("conf", "logs", "tmp", "www", "tls"):
        (root / folder).mkdir(parents=True)
    env = {
        "PATH": os.environ["PATH"],
        "POSESTUDIO_HTTP_LISTEN": f"127.0.0.1:{edge.http_port}",
        "POSESTUDIO_HTTPS_LISTEN": f"127.0.0.1:{edge.https_port}",
        "POSESTUDIO_TLS_DIR": str(root / "tls"),
        "POSESTUDIO_STUDIO_ROOT": str(root / "www"),
        "POSESTUDIO_LOG_DIR": str(root / "logs"),
        "POSESTUDIO_UPSTREAM_SCHEME": "http",
    }
    host, _, _ = upstream.partition(":")
    for environment in environments:
        prefix = environment.upper()
        env[f"{prefix}_HOSTNAME"] = HOSTNAMES[environment]
        env[f"{prefix}_TUNNEL_HOSTNAME"] = host
        env[f"{prefix}_TUNNEL_ADDRESS"] = upstream
        _certificate(root / "tls", HOSTNAMES[environment])
        result = run([str(RENDER), environment, str(root / "conf")], env=env)
        assert result.returncode == 0, result.stderr
        published = root / "www" / environment
        published.mkdir()
        if studio is not None:
            (published / "current").symlink_to(studio)
    temp = root / "tmp"
    # Workers of a root master run as "nobody", who cannot read the tmp folders.
    user = "user root;\n" if os.geteuid() == 0 else ""
    edge.conf.write_text(
        user + f"pid {root / 'nginx.pid'};\n"
        f"error_log {root / 'logs' / 'error.log'};\n"
        "daemon off;\n"
        "worker_processes 1;\n"
        "events { worker_connections 256; }\n"
        "http {\n"
        "    include /etc/nginx/mime.types;\n"
        f"    access_log {root / 'logs' / 'access.log'};\n"
        f"    client_body_temp_path {temp / 'body'};\n"
        f"    proxy_temp_path {temp / 'proxy'};\n"
        f"    fastcgi_temp_path {temp / 'fastcgi'};\n"
        f"    uwsgi_temp_path {temp / 'uwsgi'};\n"
        f"    scgi_temp_path {temp / 'scgi'};\n"
        "    include conf.d/*.conf;\n"
        "}\n"
    )
    (root / "tls" / "ca.pem").write_text(
        "".join((root / "tls" / HOSTNAMES[e] / "fullchain.pem").read_text() for e in environments)
    )
    return edge


@contextmanager
def serving(edge: Edge) -> Iterator[Edge]:
    """nginx in the foreground on the rendered config until the block ends."""
    import socket

    def listening() -> bool:
        with socket.socket() as sock:
            return sock.connect_ex(("127.0.0.1", edge.https_port)) == 0

    process = subprocess.Popen(edge.nginx(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        wait_until(
            lambda: process.poll() is not None or listening(), timeout=20, what="nginx to listen"
        )
        if process.poll() is not None:
            output = process.stdout.read().decode() if process.stdout else ""
            raise RuntimeError(f"nginx exited: {output}")
        yield edge
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
