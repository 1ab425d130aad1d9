from __future__ import annotations

import re

import pytest

from posestudio.kinematics.bench import main


def test_the_bench_prints_a_cost_per_pose(capsys: pytest.CaptureFixture[str]) -> None:
    main(["--rounds", "1"])
    out = capsys.readouterr().out
    assert "120 poses of the real video" in out
    figures = re.findall(r"^\s+([0-9.]+) us ", out, flags=re.MULTILINE)
    assert len(figures) == 3 and all(float(f) > 0 for f in figures)
