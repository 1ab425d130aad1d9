"""BVH export of one recorded stream through the kinematics package.

The take is solved whole (its bone lengths are constant over the session, a robust
estimate over every frame), so the world landmarks are gathered first, as one float
array (33 x 4 per frame); the file itself is then streamed row by row. Frames where
nobody is in view hold the previous pose, so the file keeps the session's timing.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import orjson

from posestudio.errors import NotFound
from posestudio.kinematics.bvh import hierarchy, motion_header, motion_rows
from posestudio.kinematics.take import solve_take
from posestudio.kinematics.tracker import TrackerConfig
from posestudio.sessions import chunks
from posestudio.storage import Storage

ROWS_PER_PIECE = 256


def world_of(
    storage: Storage, session_id: str, key: str, start: float, end: float | None
) -> tuple[np.ndarray, np.ndarray]:
    """(T, 33, 4) world landmarks of the first person, and (T,) session times."""
    world: list[list[list[float]]] = []
    times: list[float] = []
    for row in chunks.rows(storage, session_id, key, start, end):
        persons = orjson.loads(row["pose"]).get("persons") or []
        if persons and persons[0].get("world"):
            world.append([point[:4] for point in persons[0]["world"]])
        elif world:
            world.append(world[-1])
        else:
            continue
        times.append(row["ts"])
    if not world:
        raise NotFound("nobody was in view in this stream", details={"stream": key})
    return np.asarray(world, dtype=np.float64), np.asarray(times, dtype=np.float64)


def bvh(
    storage: Storage, session_id: str, key: str, start: float, end: float | None
) -> Iterator[bytes]:
    world, times = world_of(storage, session_id, key, start, end)
    take = solve_take(world, times, TrackerConfig(filter=None))
    frame_time = float(np.median(np.diff(times))) if len(times) > 1 else 1 / 30
    yield (hierarchy(take.measures, "cm") + motion_header(len(times), frame_time)).encode()
    piece: list[str] = []
    for line in motion_rows(take.rotations, take.root, "cm"):
        piece.append(line)
        if len(piece) >= ROWS_PER_PIECE:
            yield "".join(piece).encode()
            piece = []
    yield "".join(piece).encode()
