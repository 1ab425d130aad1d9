"""nginx/publish.sh with fake ssh, rsync (the real one, on local paths), sudo and
systemctl: the VM is a tmp folder and `nginx -t` is the real nginx on it."""

from __future__ import annotations

import os
import shutil
import stat
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.deploy.helpers import REPO, free_port, run, tool
from tests.deploy.nginx.edge import _certificate

HOSTNAME = "staging.pose.example.com"


@dataclass
class Vm:
    www: Path
    nginx_dir: Path
    calls: Path
    env: dict[str, str]

    def publish(self, release: str, studio: Path, repo: Path = REPO) -> tuple[int, str]:
        script = repo / "nginx" / "publish.sh"
        result = run([str(script), "staging", str(studio), release], env=self.env)
        return result.returncode, result.stdout + result.stderr

    def reloads(self) -> int:
        if not self.calls.exists():
            return 0
        return self.calls.read_text().splitlines().count("systemctl reload nginx")


def _executable(path: Path, text: str) -> None:
    path.write_text("#!/usr/bin/env bash\n" + text)
    path.chmod(path.stat().st_mode | stat.S_IEXEC)


@pytest.fixture
def vm(tmp_path: Path) -> Vm:
    fakes = tmp_path / "bin"
    fakes.mkdir()
    vm = Vm(tmp_path / "www", tmp_path / "etc-nginx", tmp_path / "calls.log", {})
    (vm.nginx_dir / "conf.d").mkdir(parents=True)
    (tmp_path / "logs").mkdir()
    (tmp_path / "tmp").mkdir()
    _certificate(tmp_path / "tls", HOSTNAME)
    user = "user root;\n" if os.geteuid() == 0 else ""
    (vm.nginx_dir / "nginx.conf").write_text(
        f"{user}pid {tmp_path}/nginx.pid;\nevents {{}}\nhttp {{\n"
        "    include /etc/nginx/mime.types;\n"
        f"    client_body_temp_path {tmp_path}/tmp/body;\n"
        f"    proxy_temp_path {tmp_path}/tmp/proxy;\n"
        "    include conf.d/*.conf;\n}\n"
    )
    # ssh HOST CMD... runs CMD here; rsync gets HOST:PATH as PATH.
    _executable(fakes / "ssh", 'echo "ssh $1" >>"$FAKE_CALLS"; shift; exec "$@"\n')
    _executable(
        fakes / "rsync",
        'args=(); for a in "$@"; do args+=("${a#deploy@edge.example.com:}"); done\n'
        f'exec {shutil.which("rsync")} "${{args[@]}}"\n',
    )
    _executable(fakes / "sudo", 'exec "$@"\n')
    _executable(fakes / "systemctl", 'echo "systemctl $*" >>"$FAKE_CALLS"\n')
    _executable(
        fakes / "nginx",
        f'exec {tool("nginx")} -c {vm.nginx_dir}/nginx.conf -e {tmp_path}/logs/error.log "$@"\n',
    )
    vm.env = {
        "PATH": f"{fakes}:{os.environ['PATH']}",
        "FAKE_CALLS": str(vm.calls),
        "EDGE_SSH": "deploy@edge.example.com",
        "EDGE_WWW_ROOT": str(vm.www),
        "EDGE_NGINX_DIR": str(vm.nginx_dir),
        "POSE_STUDIO_HOSTNAME": HOSTNAME,
        "POSE_STUDIO_TUNNEL_HOSTNAME": "127.0.0.1",
        "STAGING_TUNNEL_ADDRESS": "127.0.0.1:9",
        "POSESTUDIO_HTTP_LISTEN": f"127.0.0.1:{free_port()}",
        "POSESTUDIO_HTTPS_LISTEN": f"127.0.0.1:{free_port()}",
        "POSESTUDIO_TLS_DIR": str(tmp_path / "tls"),
        "POSESTUDIO_LOG_DIR": str(tmp_path / "logs"),
    }
    return vm


def _studio(folder: Path, text: str) -> Path:
    (folder / "assets").mkdir(parents=True)
    (folder / "index.html").write_text(text)
    (folder / "assets" / "app-0001.js").write_text("//")
    return folder


def _broken_repo(tmp_path: Path) -> Path:
    repo = tmp_path / "broken-repo"
    shutil.copytree(REPO / "nginx", repo / "nginx")
    proxy = repo / "nginx" / "snippets" / "proxy.conf"
    proxy.write_text(proxy.read_text().replace("proxy_read_timeout 60s;", "proxy_read_timeout;"))
    return repo


def test_publishes_the_studio_and_the_config_then_reloads(vm: Vm, tmp_path: Path) -> None:
    code, output = vm.publish("sha1", _studio(tmp_path / "s1", "one"))
    assert code == 0, output
    current = vm.www / "staging" / "current"
    assert os.readlink(current) == "releases/sha1"
    assert (current / "index.html").read_text() == "one"
    site = (vm.nginx_dir / "conf.d" / "posestudio-staging.conf").read_text()
    assert f"server_name {HOSTNAME};" in site
    assert (vm.nginx_dir / "posestudio" / "staging" / "posestudio.conf").is_file()
    assert vm.reloads() == 1


def test_a_config_nginx_rejects_is_put_back_and_the_studio_not_switched(
    vm: Vm, tmp_path: Path
) -> None:
    assert vm.publish("sha1", _studio(tmp_path / "s1", "one"))[0] == 0
    before = {p: p.read_bytes() for p in vm.nginx_dir.rglob("*.conf")}
    code, output = vm.publish("sha2", _studio(tmp_path / "s2", "two"), _broken_repo(tmp_path))
    assert code == 1, output
    assert "putting the previous one back" in output
    assert {p: p.read_bytes() for p in vm.nginx_dir.rglob("*.conf")} == before
    assert os.readlink(vm.www / "staging" / "current") == "releases/sha1"
    assert vm.reloads() == 1
    assert (
        run(
            [
                tool("nginx"),
                "-t",
                "-c",
                str(vm.nginx_dir / "nginx.conf"),
                "-e",
                str(tmp_path / "logs" / "error.log"),
            ]
        ).returncode
        == 0
    )


def test_a_rejected_first_config_leaves_no_site_behind(vm: Vm, tmp_path: Path) -> None:
    code, _ = vm.publish("sha1", _studio(tmp_path / "s1", "one"), _broken_repo(tmp_path))
    assert code == 1
    assert not (vm.nginx_dir / "conf.d" / "posestudio-staging.conf").exists()
    assert not (vm.www / "staging" / "current").exists()


def test_keeps_the_five_newest_releases(vm: Vm, tmp_path: Path) -> None:
    for n in range(7):
        assert vm.publish(f"sha{n}", _studio(tmp_path / f"s{n}", str(n)))[0] == 0
        # Release folders are ordered by modification time: make each one distinct.
        os.utime(vm.www / "staging" / "releases" / f"sha{n}", (1_000_000 + n, 1_000_000 + n))
    releases = sorted(p.name for p in (vm.www / "staging" / "releases").iterdir())
    assert releases == ["sha2", "sha3", "sha4", "sha5", "sha6"]


def test_refuses_a_folder_that_is_not_a_built_studio(vm: Vm, tmp_path: Path) -> None:
    code, output = vm.publish("sha1", tmp_path)
    assert code == 1 and "not a built studio" in output
    assert not vm.calls.exists()
