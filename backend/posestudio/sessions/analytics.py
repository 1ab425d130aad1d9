"""Per-session analytics from the stored chunks (docs/sessions.md, "Analytics").

One pass over a stream's pose chunks, one chunk in memory at a time: each frame's first
person becomes a few numbers (the joint angles of `posestudio.analysis`, their
visibility, the landmarks' speed, the hips' centre in the image), and the figures are
computed from those. A finished session's figures never change, so they are cached
(`AnalyticsCache`, in memory, least recently used dropped); annotations are merged in on
every call, since they do change.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
import orjson

from posestudio.analysis import JOINTS, VISIBILITY, angle_series
from posestudio.protocol import LANDMARK_INDEX, NUM_LANDMARKS
from posestudio.protocol.analytics import (
    Heatmap,
    Intensity,
    InView,
    JointRange,
    Repetition,
    SessionAnalytics,
    SessionEvent,
    Span,
)
from posestudio.sessions import chunks
from posestudio.sessions.cache import FinishedCache
from posestudio.sessions.repetitions import RepetitionConfig, repetitions
from posestudio.storage import Storage

INTERVAL_S = 1.0
MIN_OUT_OF_VIEW_S = 0.5
MAX_STEP_S = 0.5  # frames further apart than this give no speed
HEATMAP_COLS = 16
SEEN = 0.5  # a landmark counts for speed when its visibility is at least this
REFERENCE_HEIGHT_M = 1.7
_HIPS = [LANDMARK_INDEX["left_hip"], LANDMARK_INDEX["right_hip"]]
_JOINT_INDEX = {j: [LANDMARK_INDEX[n] for n in names] for j, names in JOINTS.items()}


class AnnotationLike(Protocol):
    @property
    def id(self) -> int | None: ...
    @property
    def ts(self) -> float: ...
    @property
    def end_ts(self) -> float | None: ...
    @property
    def stream(self) -> str | None: ...
    @property
    def label(self) -> str: ...
    @property
    def note(self) -> str | None: ...


@dataclass(frozen=True)
class Replay:
    """What analytics reads of one session: its stored chunks and its annotations."""

    storage: Storage
    session_id: str
    streams: Sequence[str]  # the streams' keys, in the session's order
    annotations: Sequence[AnnotationLike] = ()
    finished: bool = True  # not recording any more: its figures can be cached


@dataclass
class _Frames:
    """Per frame of one stream: what the figures need, and nothing else."""

    ts: list[np.ndarray] = field(default_factory=list)
    seen: list[np.ndarray] = field(default_factory=list)
    angles: list[np.ndarray] = field(default_factory=list)  # (n, joints)
    visibility: list[np.ndarray] = field(default_factory=list)  # (n, joints)
    speed: list[np.ndarray] = field(default_factory=list)  # metres/s, NaN: none
    extent: list[np.ndarray] = field(default_factory=list)  # body's vertical extent, m
    hips: list[np.ndarray] = field(default_factory=list)  # (n, 2), image 0..1
    size: tuple[int, int] | None = None
    last: tuple[float, np.ndarray] | None = None  # the last seen frame (ts, world)

    def add(self, ts: np.ndarray, world: np.ndarray, image: np.ndarray) -> None:
        seen = ~np.isnan(world[:, 0, 0])
        series = angle_series(world)
        self.ts.append(ts)
        self.seen.append(seen)
        self.angles.append(np.stack([series[j] for j in JOINTS], axis=1))
        self.visibility.append(
            np.stack([world[:, idx, VISIBILITY].mean(axis=1) for idx in _JOINT_INDEX.values()], 1)
        )
        extent = np.full(ts.shape, np.nan)
        heights = world[seen, :, 1]
        extent[seen] = heights.max(axis=1) - heights.min(axis=1)
        self.extent.append(extent)
        self.hips.append(image[:, _HIPS, :2].mean(axis=1))
        self.speed.append(self._speeds(ts, world, seen))

    def _speeds(self, ts: np.ndarray, world: np.ndarray, seen: np.ndarray) -> np.ndarray:
        out = np.full(ts.shape, np.nan)
        for i in np.flatnonzero(seen):
            if self.last is not None:
                dt = ts[i] - self.last[0]
                if 0 < dt <= MAX_STEP_S:
                    before, now = self.last[1], world[i]
                    mask = (before[:, VISIBILITY] >= SEEN) & (now[:, VISIBILITY] >= SEEN)
                    if not mask.any():
                        mask[:] = True
                    moved = np.linalg.norm(now[mask, :3] - before[mask, :3], axis=1)
                    out[i] = float(moved.mean()) / dt
            self.last = (float(ts[i]), world[i])
        return out

    def joined(self, name: str) -> np.ndarray:
        parts = getattr(self, name)
        return np.concatenate(parts) if parts else np.empty(0)


def _read(storage: Storage, session_id: str, key: str, start: float, end: float | None) -> _Frames:
    frames = _Frames()
    batch: list[tuple[float, str]] = []
    columns = ["ts", "width", "height", "pose"]

    def flush() -> None:
        n = len(batch)
        world = np.full((n, NUM_LANDMARKS, 5), np.nan)
        image = np.full((n, NUM_LANDMARKS, 5), np.nan)
        for i, (_, pose) in enumerate(batch):
            persons = orjson.loads(pose).get("persons") or []
            if persons and persons[0].get("world") and persons[0].get("landmarks"):
                world[i] = np.asarray(persons[0]["world"], dtype=float)[:NUM_LANDMARKS, :5]
                image[i] = np.asarray(persons[0]["landmarks"], dtype=float)[:NUM_LANDMARKS, :5]
        frames.add(np.array([t for t, _ in batch]), world, image)
        batch.clear()

    current = None
    for row in chunks.rows(storage, session_id, key, start, end, columns=columns):
        if frames.size is None and row["width"]:
            frames.size = (int(row["width"]), int(row["height"]))
        if current is not None and row["chunk"] != current:
            flush()  # one chunk's frames at a time
        current = row["chunk"]
        batch.append((float(row["ts"]), row["pose"]))
    if batch:
        flush()
    return frames


def _durations(ts: np.ndarray) -> np.ndarray:
    """Each frame's share of the recorded time (the step to the next, capped)."""
    if ts.size == 0:
        return ts
    steps = np.diff(ts)
    typical = float(np.median(steps)) if steps.size else 0.0
    return np.minimum(np.append(steps, typical), max(typical * 3, MAX_STEP_S))


def _in_view(ts: np.ndarray, seen: np.ndarray) -> InView:
    share = _durations(ts)
    total = float(share.sum())
    seconds = float(share[seen].sum())
    spans: list[Span] = []
    i = 0
    while i < ts.size:
        if seen[i]:
            i += 1
            continue
        j = i
        while j < ts.size and not seen[j]:
            j += 1
        end = float(ts[j]) if j < ts.size else float(ts[-1] + share[-1])
        if end - ts[i] >= MIN_OUT_OF_VIEW_S:
            spans.append(Span(ts=round(float(ts[i]), 3), end_ts=round(end, 3)))
        i = j
    fraction = seconds / total if total > 0 else 0.0
    return InView(seconds=round(seconds, 3), fraction=round(fraction, 4), spans_out=spans)


def _range_of_motion(angles: np.ndarray, seen: np.ndarray) -> dict[str, JointRange]:
    out: dict[str, JointRange] = {}
    for n, joint in enumerate(JOINTS):
        values = angles[seen, n]
        values = values[~np.isnan(values)]
        if values.size == 0:
            continue
        lo, hi = float(values.min()), float(values.max())
        p5, p95 = np.percentile(values, [5, 95])
        out[joint] = JointRange(
            min_deg=round(lo, 1),
            max_deg=round(hi, 1),
            range_deg=round(hi - lo, 1),
            p5_deg=round(float(p5), 1),
            p95_deg=round(float(p95), 1),
        )
    return out


def _intensity(ts: np.ndarray, speed: np.ndarray, extent: np.ndarray, start: float) -> Intensity:
    if ts.size == 0:
        return Intensity(interval_s=INTERVAL_S, values=[])
    height = float(np.nanmedian(extent)) if np.isfinite(extent).any() else math.nan
    if not height > 0.3:  # a body seen too little to measure: the reference adult
        height = REFERENCE_HEIGHT_M
    bins = math.floor((float(ts[-1]) - start) / INTERVAL_S) + 1
    index = np.clip(((ts - start) // INTERVAL_S).astype(int), 0, bins - 1)
    valid = ~np.isnan(speed)
    total = np.bincount(index[valid], weights=speed[valid], minlength=bins)
    count = np.bincount(index[valid], minlength=bins)
    with np.errstate(invalid="ignore", divide="ignore"):
        values = np.where(count > 0, total / np.maximum(count, 1) / height, 0.0)
    return Intensity(interval_s=INTERVAL_S, values=[round(float(v), 4) for v in values])


def _heatmap(hips: np.ndarray, seen: np.ndarray, size: tuple[int, int] | None) -> Heatmap:
    width, height = size or (4, 3)
    cols = HEATMAP_COLS
    rows = max(1, round(cols * height / width))
    counts = np.zeros((rows, cols))
    points = hips[seen]
    points = points[np.isfinite(points).all(axis=1)]
    if points.size:
        x = np.clip((points[:, 0] * cols).astype(int), 0, cols - 1)
        y = np.clip((points[:, 1] * rows).astype(int), 0, rows - 1)
        np.add.at(counts, (y, x), 1)
        counts /= len(points)
    return Heatmap(cols=cols, rows=rows, values=[round(float(v), 4) for v in counts.ravel()])


@dataclass(frozen=True)
class StreamFigures:
    """Everything about one stream over one range but the annotations (what is cached)."""

    from_ts: float
    to_ts: float
    frames: int
    in_view: InView
    range_of_motion: dict[str, JointRange]
    intensity: Intensity
    repetitions: list[Repetition]
    heatmap: Heatmap


def stream_figures(
    storage: Storage,
    session_id: str,
    key: str,
    start: float,
    end: float | None,
    config: RepetitionConfig | None = None,
) -> StreamFigures:
    """One pass over one stream's chunks in [start, end]."""
    frames = _read(storage, session_id, key, start, end)
    ts, seen = frames.joined("ts"), frames.joined("seen").astype(bool)
    angles = np.concatenate(frames.angles) if frames.angles else np.empty((0, len(JOINTS)))
    visibility = (
        np.concatenate(frames.visibility) if frames.visibility else np.empty((0, len(JOINTS)))
    )
    first = float(ts[0]) if ts.size else start
    last = float(ts[-1]) if ts.size else (end if end is not None else start)
    hips = np.concatenate(frames.hips) if frames.hips else np.empty((0, 2))
    reps = repetitions(
        ts,
        {j: np.where(seen, angles[:, n], np.nan) for n, j in enumerate(JOINTS)},
        {j: visibility[:, n] for n, j in enumerate(JOINTS)},
        config,
    )
    return StreamFigures(
        from_ts=round(first, 3),
        to_ts=round(last, 3),
        frames=int(ts.size),
        in_view=_in_view(ts, seen),
        range_of_motion=_range_of_motion(angles, seen),
        intensity=_intensity(ts, frames.joined("speed"), frames.joined("extent"), first),
        repetitions=[Repetition(**rep.__dict__) for rep in reps],
        heatmap=_heatmap(hips, seen, frames.size),
    )


def stream_events(key: str, figures: StreamFigures) -> list[SessionEvent]:
    """A stream's repetitions and out-of-view spans as session events."""
    events = [
        SessionEvent(
            kind="repetition",
            ts=rep.ts,
            end_ts=rep.end_ts,
            stream=key,
            label=f"rep {n}",
            details={
                "joint": rep.joint,
                "depth_deg": rep.depth_deg,
                "bottom_ts": rep.bottom_ts,
                "bottom_deg": rep.bottom_deg,
            },
        )
        for n, rep in enumerate(figures.repetitions, start=1)
    ]
    events += [
        SessionEvent(kind="out_of_view", ts=s.ts, end_ts=s.end_ts, stream=key, label="out of view")
        for s in figures.in_view.spans_out
    ]
    return events


def annotation_events(annotations: Sequence[AnnotationLike]) -> list[SessionEvent]:
    return [
        SessionEvent(
            kind="annotation",
            ts=a.ts,
            end_ts=a.end_ts,
            stream=a.stream,
            label=a.label,
            details={"id": a.id, "note": a.note},
        )
        for a in annotations
    ]


def _by_time(events: list[SessionEvent]) -> list[SessionEvent]:
    order = {"annotation": 0, "repetition": 1, "out_of_view": 2}
    return sorted(events, key=lambda e: (e.ts, order[e.kind], e.stream or ""))


class AnalyticsCache(FinishedCache[StreamFigures]):
    """Finished sessions' figures per (session, stream, range), least recently used out."""

    def __init__(self, size: int = 64) -> None:
        super().__init__(size)

    def figures(self, replay: Replay, key: str, start: float, end: float | None) -> StreamFigures:
        return self.get(
            (replay.session_id, key, start, end),
            replay.finished,
            lambda: stream_figures(replay.storage, replay.session_id, key, start, end),
        )


def analyze(
    replay: Replay,
    *,
    stream: str | None,
    start: float | None,
    end: float | None,
    cache: AnalyticsCache | None = None,
) -> SessionAnalytics:
    """One stream's analytics (default: the session's first) over [start, end] seconds."""
    key = stream if stream is not None else (replay.streams[0] if replay.streams else None)
    begin = start or 0.0
    if key is None:
        figures = StreamFigures(
            from_ts=begin,
            to_ts=end if end is not None else begin,
            frames=0,
            in_view=InView(seconds=0.0, fraction=0.0, spans_out=[]),
            range_of_motion={},
            intensity=Intensity(interval_s=INTERVAL_S, values=[]),
            repetitions=[],
            heatmap=_heatmap(np.empty((0, 2)), np.empty(0, bool), None),
        )
        events: list[SessionEvent] = []
    else:
        figures = (cache or AnalyticsCache(0)).figures(replay, key, begin, end)
        events = stream_events(key, figures)
    lo, hi = begin, end if end is not None else math.inf
    notes = [
        a
        for a in replay.annotations
        if a.stream in (None, key)
        and a.ts <= hi
        and (a.end_ts if a.end_ts is not None else a.ts) >= lo
    ]
    return SessionAnalytics(
        session_id=replay.session_id,
        stream=key,
        from_ts=figures.from_ts,
        to_ts=figures.to_ts,
        duration_s=round(figures.to_ts - figures.from_ts, 3),
        frames=figures.frames,
        in_view=figures.in_view,
        range_of_motion=figures.range_of_motion,
        intensity=figures.intensity,
        repetitions=figures.repetitions,
        heatmap=figures.heatmap,
        events=_by_time(events + annotation_events(notes)),
    )


def session_events(replay: Replay, cache: AnalyticsCache | None = None) -> list[SessionEvent]:
    """Every stream's repetitions and out-of-view spans, and the annotations, by time."""
    cache = cache or AnalyticsCache(0)
    events: list[SessionEvent] = []
    for key in replay.streams:
        events += stream_events(key, cache.figures(replay, key, 0.0, None))
    return _by_time(events + annotation_events(replay.annotations))
