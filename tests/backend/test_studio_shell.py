"""The studio's static shell as the backend serves it: the PWA manifest and the service
worker come with the content types browsers require, from the app root."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from posestudio.app import create_app
from posestudio.runtime import build_runtime
from posestudio.settings import Settings
from tests.utils.principals import TokensAuthenticator


def test_manifest_service_worker_and_icons_have_their_content_types(tmp_path: Path) -> None:
    shell = tmp_path / "dist"
    (shell / "icons").mkdir(parents=True)
    (shell / "index.html").write_text("<!doctype html><title>Pose Studio</title>")
    (shell / "manifest.webmanifest").write_text('{"name": "Pose Studio"}')
    (shell / "sw.js").write_text("self.addEventListener('fetch', () => {});")
    (shell / "icons" / "icon-192.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    settings = Settings(environment="test", data_dir=tmp_path, frontend_dir=shell)
    runtime = build_runtime(settings, authenticator=TokensAuthenticator({}))
    with TestClient(create_app(runtime)) as client:
        manifest = client.get("/manifest.webmanifest")
        assert manifest.status_code == 200
        assert manifest.headers["content-type"].startswith("application/manifest+json")
        worker = client.get("/sw.js")
        assert worker.status_code == 200
        assert worker.headers["content-type"].split(";")[0] in (
            "text/javascript",
            "application/javascript",
        )
        assert client.get("/icons/icon-192.png").headers["content-type"] == "image/png"
        assert client.get("/").headers["content-type"].startswith("text/html")
