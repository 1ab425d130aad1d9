"""A synthetic recorded session, written straight into storage and the database.

A standing person doing squats: the knees bend from 175° to `bottom_deg` and back in
each repetition, the thighs and shanks tilting by half the bend each, so the hips drop
in the image; between repetitions the person stands still, and in `away` spans nobody
is in view. What the figures should be is known exactly, which is what the analytics
tests and the first-byte benchmark (`python -m posestudio.sessions.firstbyte`) need.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import numpy as np

from posestudio.db.database import Database, utcnow
from posestudio.protocol import LANDMARK_INDEX, NUM_LANDMARKS
from posestudio.sessions import chunks, crud
from posestudio.sessions.models import RecordedSession, SessionStream
from posestudio.storage import Storage

STREAM_KEY = "st_synthetic01"
STANDING_DEG = 175.0
THIGH_M = SHANK_M = 0.45
PIXELS_PER_M = 0.42  # image heights per metre of body (y); x is scaled by the aspect


@dataclass(frozen=True)
class Squats:
    """What to record: `reps` at (start, duration) seconds, nobody in view in `away`."""

    duration_s: float = 30.0
    fps: float = 30.0
    reps: list[tuple[float, float]] = field(default_factory=list)
    bottom_deg: float = 90.0
    away: list[tuple[float, float]] = field(default_factory=list)
    hips_at: tuple[float, float] = (0.3, 0.55)  # the hips' centre in the image, standing
    size: tuple[int, int] = (640, 480)
    noise_deg: float = 1.0
    seed: int = 7

    @classmethod
    def regular(cls, count: int, period_s: float, *, first_s: float = 2.0, **kw: float) -> Squats:
        reps = [(first_s + n * period_s, period_s * 0.8) for n in range(count)]
        return cls(reps=reps, **kw)  # type: ignore[arg-type]


def knee_angles(spec: Squats, times: np.ndarray) -> np.ndarray:
    angle = np.full(times.shape, STANDING_DEG)
    for start, length in spec.reps:
        inside = (times >= start) & (times < start + length)
        phase = (1 - np.cos(2 * np.pi * (times[inside] - start) / length)) / 2
        angle[inside] = STANDING_DEG - (STANDING_DEG - spec.bottom_deg) * phase
    noise = np.random.default_rng(spec.seed).normal(0.0, spec.noise_deg, times.shape)
    return np.asarray(np.clip(angle + noise, 30.0, 180.0))


Coordinate = float | np.ndarray


def _point(out: np.ndarray, name: str, xyz: tuple[Coordinate, Coordinate, Coordinate]) -> None:
    for axis, value in enumerate(xyz):
        out[:, LANDMARK_INDEX[name], axis] = value


def bodies(knee_deg: np.ndarray) -> np.ndarray:
    """World landmarks (N, 33, 5) for N knee angles, BlazePose's frame (hip-centred
    metres, y down)."""
    tilt = np.radians(180.0 - knee_deg) / 2
    out = np.zeros((len(knee_deg), NUM_LANDMARKS, 5))
    out[:, :, 3:] = 0.95
    for side, s in (("left", 1.0), ("right", -1.0)):
        knee_y, knee_z = THIGH_M * np.cos(tilt), -THIGH_M * np.sin(tilt)
        ankle_y, ankle_z = knee_y + SHANK_M * np.cos(tilt), knee_z + SHANK_M * np.sin(tilt)
        _point(out, f"{side}_hip", (s * 0.1, 0.0, 0.0))
        _point(out, f"{side}_knee", (s * 0.1, knee_y, knee_z))
        _point(out, f"{side}_ankle", (s * 0.1, ankle_y, ankle_z))
        _point(out, f"{side}_heel", (s * 0.1, ankle_y + 0.04, ankle_z + 0.05))
        _point(out, f"{side}_foot_index", (s * 0.1, ankle_y + 0.05, ankle_z - 0.15))
        _point(out, f"{side}_shoulder", (s * 0.18, -0.5, 0.0))
        _point(out, f"{side}_elbow", (s * 0.21, -0.22, 0.0))
        _point(out, f"{side}_wrist", (s * 0.22, 0.04, -0.02))
        for part, dz in (("pinky", 0.0), ("index", -0.03), ("thumb", -0.05)):
            _point(out, f"{side}_{part}", (s * 0.22, 0.12, -0.02 + dz))
        _point(out, f"{side}_ear", (s * 0.07, -0.66, 0.02))
        _point(out, f"mouth_{side}", (s * 0.025, -0.6, -0.09))
        for part, dx in (("eye_inner", 0.015), ("eye", 0.03), ("eye_outer", 0.045)):
            _point(out, f"{side}_{part}", (s * dx, -0.67, -0.08))
    _point(out, "nose", (0.0, -0.64, -0.11))
    return out


def images_of(world: np.ndarray, spec: Squats, knee_deg: np.ndarray) -> np.ndarray:
    """The same bodies in normalised image coordinates (the hips drop as the knees bend)."""
    width, height = spec.size
    tilt = np.radians(180.0 - knee_deg) / 2
    drop = ((THIGH_M + SHANK_M) * (1 - np.cos(tilt)) * PIXELS_PER_M)[:, None]
    out = world.copy()
    out[:, :, 0] = spec.hips_at[0] - world[:, :, 0] * PIXELS_PER_M * height / width
    out[:, :, 1] = spec.hips_at[1] + drop + world[:, :, 1] * PIXELS_PER_M
    out[:, :, 2] = world[:, :, 2] * 0.5
    return out


def _message(
    spec: Squats, seq: int, capture_ms: float, person: tuple[list[Any], list[Any]] | None
) -> dict[str, Any]:
    width, height = spec.size
    persons = []
    if person is not None:
        persons.append({"score": 0.99, "landmarks": person[0], "world": person[1]})
    return {
        "schema": "pose_v1",
        "stream_id": "synthetic",
        "seq": seq,
        "capture_ts": capture_ms,
        "engine": "synthetic",
        "image": {"width": width, "height": height},
        "persons": persons,
        "timing": {"queue_ms": 0.0, "decode_ms": 1.0, "infer_ms": 20.0, "server_ms": 22.0},
        "dropped": 0,
    }


def write_session(
    database: Database, storage: Storage, spec: Squats, *, owner: str, name: str = "squats"
) -> str:
    """Record `spec` as a complete session of one stream (chunks of one second); its id."""
    times = np.round(np.arange(0.0, spec.duration_s, 1.0 / spec.fps), 6)
    knees = knee_angles(spec, times)
    world = bodies(knees)
    image = np.round(images_of(world, spec, knees), 4)
    world = np.round(world, 4)
    away = np.zeros(times.shape, bool)
    for start, end in spec.away:
        away |= (times >= start) & (times < end)
    return write_frames(
        database,
        storage,
        times,
        [None if away[i] else (image[i], world[i]) for i in range(len(times))],
        owner=owner,
        name=name,
        size=spec.size,
        fps=spec.fps,
    )


def write_frames(
    database: Database,
    storage: Storage,
    times: np.ndarray,
    persons: list[tuple[np.ndarray, np.ndarray] | None],
    *,
    owner: str,
    name: str,
    size: tuple[int, int] = (640, 480),
    fps: float = 30.0,
) -> str:
    """Store frames at `times` (session seconds) as a complete session of one stream
    (`STREAM_KEY`, chunks of about a second): per frame the person's (image, world)
    landmarks, or None for nobody in view. Returns the session's id."""
    spec = Squats(duration_s=float(times[-1]) + 1.0 / fps, fps=fps, size=size)
    started = utcnow() - timedelta(seconds=spec.duration_s)
    with database.session() as session:
        stream = SessionStream(session_id="", key=STREAM_KEY, name="cam", engine="synthetic")
        head = crud.create_session(
            session,
            owner=owner,
            name=name,
            tags=["synthetic"],
            video=False,
            streams=[stream],
            started_at=started,
        )
        session_id = head.id
    epoch_ms = started.timestamp() * 1000
    total = 0
    per_chunk = max(1, round(fps))
    for number, first in enumerate(range(0, len(times), per_chunk)):
        records = []
        for i in range(first, min(first + per_chunk, len(times))):
            ts = float(times[i])
            found = persons[i]
            person = None if found is None else (found[0].tolist(), found[1].tolist())
            records.append(
                chunks.FrameRecord(
                    index=i,
                    ts=ts,
                    seq=i,
                    capture_ts=epoch_ms + ts * 1000,
                    arrival_ts=started.timestamp() + ts,
                    width=size[0],
                    height=size[1],
                    message=_message(spec, i, epoch_ms + ts * 1000, person),
                    raw=None,
                    jpeg=None,
                )
            )
        poses, _ = chunks.encode(records)
        storage.put(chunks.pose_key(session_id, STREAM_KEY, number, records[0].ts, first), poses)
        total += len(poses)
    with database.session() as session:
        row = session.get(RecordedSession, session_id)
        (stream_row,) = crud.streams_of(session, session_id=session_id)
        assert row is not None
        stream_row.frames = len(times)
        stream_row.chunks = number + 1
        stream_row.first_ts, stream_row.last_ts = float(times[0]), float(times[-1])
        stream_row.width, stream_row.height = size
        stream_row.bytes = total
        row.status = "complete"
        row.stop_reason = "stopped"
        row.ended_at = started + timedelta(seconds=float(times[-1]))
        row.bytes = total
        session.add(stream_row)
        session.add(row)
        session.commit()
    return session_id
