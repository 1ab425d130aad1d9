"""One robots backend (SQLite) for the package; each test starts with an empty registry."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.utils.robots import RobotsBackend, robots_backend


@pytest.fixture(scope="package")
def served_robots(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RobotsBackend]:
    with robots_backend(tmp_path_factory.mktemp("robots"), robot_lease_idle_s=2.0) as backend:
        yield backend


@pytest.fixture
def robots(served_robots: RobotsBackend) -> RobotsBackend:
    served_robots.reset()
    return served_robots
