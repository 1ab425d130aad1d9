"""Fixtures for the deployment tests (see tests/deploy/helpers.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.deploy.helpers import Backend, running_backend


@pytest.fixture(scope="session")
def backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Backend]:
    """One real backend shared by the metrics and the nginx end-to-end tests."""
    with running_backend(tmp_path_factory.mktemp("backend")) as server:
        yield server
