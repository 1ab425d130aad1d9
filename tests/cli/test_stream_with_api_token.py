"""`posestudio stream` as a person: an operator's API token streams, a viewer's is refused."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from tests.utils.accounts import accounts_backend

POSESTUDIO = str(Path(sys.executable).with_name("posestudio"))


def _stream(url: str, token: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [POSESTUDIO, "stream", "test", "--url", url, "--token", token, "--limit", "10"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_stream_works_with_an_operators_api_token_and_not_a_viewers(tmp_path: Path) -> None:
    with accounts_backend(f"sqlite:///{tmp_path / 'posestudio.db'}") as backend:
        backend.make_user("operator", "coach@example.com")
        backend.make_user("viewer", "athlete@example.com")
        operator = backend.token_for("coach@example.com")
        viewer = backend.token_for("athlete@example.com")
        assert operator.startswith("pst_") and viewer.startswith("pst_")

        streamed = _stream(backend.url, operator)
        assert streamed.returncode == 0, streamed.stderr
        match = re.search(r"got (\d+) poses \((\d+) with a person\)", streamed.stdout)
        assert match is not None, streamed.stdout
        assert int(match.group(2)) >= 1

        refused = _stream(backend.url, viewer)
        assert refused.returncode != 0
        assert "FORBIDDEN" in refused.stdout + refused.stderr
