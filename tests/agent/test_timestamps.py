"""Relevant timestamps come from what the tools returned, the same way every time."""

from __future__ import annotations

from typing import Any

from posestudio_agent.timestamps import relevant_timestamps


def joint(lo: float, hi: float, lo_ts: float, hi_ts: float) -> dict[str, Any]:
    return {"min": lo, "max": hi, "range_of_motion": hi - lo, "min_ts": lo_ts, "max_ts": hi_ts}


STATS = {
    "stream_id": "cam0",
    "first_ts": 1_000_000_000_000.0,
    "last_ts": 1_000_000_060_000.0,
    "angles": {
        "left_knee": joint(90, 170, 1_000_000_010_000.0, 1_000_000_020_000.0),
        "right_knee": joint(160, 175, 1_000_000_030_000.0, 1_000_000_040_000.0),
        "left_elbow": joint(40, 170, 1_000_000_050_000.0, 1_000_000_005_000.0),
        "left_hip": None,
    },
    "out_of_view": [{"start_ts": 1_000_000_055_000.0, "end_ts": 1_000_000_058_000.0}],
}
RESULTS = [("pose_stats", {"stream_id": "cam0"}, STATS)]


def labels(question: str, answer: str | None = None) -> list[tuple[float, str]]:
    return [(t.ts, t.label) for t in relevant_timestamps(question, RESULTS, answer)]


def test_the_joint_the_question_names_and_when_nobody_was_in_view() -> None:
    assert labels("How is my left knee moving?") == [
        (1_000_000_010_000.0, "left knee min 90°"),
        (1_000_000_020_000.0, "left knee max 170°"),
        (1_000_000_055_000.0, "out of view"),
    ]


def test_both_sides_when_no_side_is_named() -> None:
    named = {label for _, label in labels("How are my knees? My knee hurts")}
    assert named >= {"left knee min 90°", "right knee max 175°"}


def test_the_joint_that_moved_most_when_none_is_named() -> None:
    assert [label for _, label in labels("Am I in frame?")] == [
        "left elbow max 170°",
        "left elbow min 40°",
        "out of view",
    ]


def test_times_the_answer_cites_inside_a_window_the_tools_read() -> None:
    cited = labels("Am I in frame?", "You left at 1000000057000 and at 1999999999999.")
    assert (1_000_000_057_000.0, "cited") in cited
    assert all(ts != 1_999_999_999_999.0 for ts, _ in cited)


def test_no_stats_no_timestamps() -> None:
    assert relevant_timestamps("knee?", [("live_streams", {}, {"streams": []})], "x") == []
