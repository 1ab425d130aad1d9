"""Relevant moments for an answer, derived deterministically from what the tools returned.

From every `pose_stats` result: the capture times of the extremes of the joints the
question names (or, if it names none, of the joint that moved most), and the starts of
the spans with nobody in view. Plus any epoch-ms time the answer cites that lies inside
a window the tools looked at.

When the person asks from a replay (a session in the request's context), the moments
are in that session's seconds instead, and come only from the session tools' results
for that session: each repetition's start, the out-of-view spans, the annotations, and
any "12.5 s" the answer cites inside the range the tools read.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable
from typing import Any

from posestudio_agent.records import RelevantTimestamp

MAX_TIMESTAMPS = 12
JOINT_WORDS = ("elbow", "shoulder", "hip", "knee")
CITED_MS = re.compile(r"\b(1\d{12})(?:\.\d+)?\b")
CITED_S = re.compile(r"\b(\d{1,6}(?:\.\d+)?) ?(?:s|sec|seconds)\b")


def _named_joints(question: str, joints: list[str]) -> list[str]:
    text = question.lower()
    named = []
    for joint in joints:
        side, _, part = joint.partition("_")
        if part in text and (side in text or not re.search(r"\b(left|right)\b", text)):
            named.append(joint)
    return named


def _from_stats(question: str, stats: dict[str, Any]) -> list[RelevantTimestamp]:
    stream_id = str(stats.get("stream_id", ""))
    angles = {k: v for k, v in (stats.get("angles") or {}).items() if v}
    joints = _named_joints(question, sorted(angles))
    if not joints and angles:
        joints = [max(sorted(angles), key=lambda j: angles[j]["range_of_motion"])]
    out = []
    for joint in joints:
        name = joint.replace("_", " ")
        a = angles[joint]
        out.append(
            RelevantTimestamp(
                stream_id=stream_id, ts=a["min_ts"], label=f"{name} min {a['min']:.0f}°"
            )
        )
        out.append(
            RelevantTimestamp(
                stream_id=stream_id, ts=a["max_ts"], label=f"{name} max {a['max']:.0f}°"
            )
        )
    for span in stats.get("out_of_view") or []:
        out.append(RelevantTimestamp(stream_id=stream_id, ts=span["start_ts"], label="out of view"))
    return out


def _event_moment(event: dict[str, Any], n: int) -> RelevantTimestamp:
    stream = str(event.get("stream") or "")
    if event["kind"] == "repetition":
        depth = (event.get("details") or {}).get("depth_deg")
        label = f"rep {n}" + (f" ({depth:.0f}°)" if isinstance(depth, int | float) else "")
    else:
        label = str(event["label"])
    return RelevantTimestamp(stream_id=stream, ts=float(event["ts"]), label=label)


def session_timestamps(
    session_id: str, results: list[tuple[str, dict[str, Any], Any]], answer: str | None
) -> list[RelevantTimestamp]:
    """Moments in session seconds, from the session tools' results for `session_id`."""
    found: list[RelevantTimestamp] = []
    windows: list[tuple[str, float, float]] = []
    for name, args, data in results:
        if not isinstance(data, dict) or args.get("session_id") != session_id:
            continue
        if name == "session_stats":
            stream = str(data.get("stream") or "")
            windows.append((stream, data["from_ts"], data["to_ts"]))
            for rep in data.get("repetitions") or []:
                label = f"rep {rep['n']} ({rep['depth_deg']:.0f}°)"
                found.append(RelevantTimestamp(stream_id=stream, ts=rep["ts"], label=label))
            for span in (data.get("in_view") or {}).get("spans_out") or []:
                found.append(
                    RelevantTimestamp(stream_id=stream, ts=span["ts"], label="out of view")
                )
            for note in data.get("annotations") or []:
                found.append(_event_moment(note, 0))
        elif name == "session_events":
            reps = 0
            for event in data.get("events") or []:
                reps += event["kind"] == "repetition"
                found.append(_event_moment(event, reps))
    found += _cited(CITED_S, answer, windows)
    return _top(found, lambda t: t.ts)


def relevant_timestamps(
    question: str,
    results: list[tuple[str, dict[str, Any], Any]],
    answer: str | None,
    *,
    session: str | None = None,
) -> list[RelevantTimestamp]:
    if session is not None:
        return session_timestamps(session, results, answer)
    found: list[RelevantTimestamp] = []
    windows: list[tuple[str, float, float]] = []
    for name, _, data in results:
        if name == "pose_stats" and isinstance(data, dict):
            found.extend(_from_stats(question, data))
            if data.get("first_ts") is not None and data.get("last_ts") is not None:
                windows.append((str(data["stream_id"]), data["first_ts"], data["last_ts"]))
    found += _cited(CITED_MS, answer, windows)
    return _top(found, lambda t: (t.stream_id, t.ts))


def _cited(
    pattern: re.Pattern[str], answer: str | None, windows: list[tuple[str, float, float]]
) -> list[RelevantTimestamp]:
    """The times the answer cites that fall inside a window the tools read."""
    cited = []
    for match in pattern.finditer(answer or ""):
        ts = float(match.group(1))
        for stream_id, first, last in windows:
            if first <= ts <= last:
                cited.append(RelevantTimestamp(stream_id=stream_id, ts=ts, label="cited"))
                break
    return cited


def _top(
    found: list[RelevantTimestamp], key: Callable[[RelevantTimestamp], Hashable]
) -> list[RelevantTimestamp]:
    """The first of each `key`, in time order, at most `MAX_TIMESTAMPS`."""
    unique: dict[Hashable, RelevantTimestamp] = {}
    for item in found:
        unique.setdefault(key(item), item)
    return sorted(unique.values(), key=lambda t: (t.ts, t.stream_id))[:MAX_TIMESTAMPS]
