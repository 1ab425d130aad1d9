"""The edge fixture: a real nginx on the rendered production config in front of the
session's backend, serving the studio `make setup` built."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.deploy.helpers import REPO, Backend
from tests.deploy.nginx.edge import Edge, render, serving

STUDIO = REPO / "frontend_build" / "dist"
# Resolves to loopback everywhere and is a name, so TLS clients send it as SNI.
HOST = "localhost"


@pytest.fixture(scope="session")
def edge(backend: Backend, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Edge]:
    assert (STUDIO / "index.html").is_file(), "the studio is not built: run `make setup`"
    root = tmp_path_factory.mktemp("edge")
    config = render(
        root, upstream=f"127.0.0.1:{backend.port}", studio=STUDIO, environments=("production",)
    )
    with serving(config) as running:
        yield running
