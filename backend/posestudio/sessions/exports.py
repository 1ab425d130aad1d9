"""Exports, streamed: JSONL, CSV and Parquet, one chunk in memory at a time.

JSONL is the `pose_v1` messages as recorded. CSV and Parquet are one row per frame
and person: `ts, stream, person`, then `<landmark>_x, _y, _z, _visibility` for the
image landmarks and `world_<landmark>_…` for the world landmarks.
"""

from __future__ import annotations

import csv
import heapq
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.parquet as pq

from posestudio.protocol import LANDMARK_NAMES
from posestudio.sessions import chunks
from posestudio.storage import Storage

AXES = ("x", "y", "z", "visibility")
LANDMARK_COLUMNS = [f"{n}_{a}" for n in LANDMARK_NAMES for a in AXES]
WORLD_COLUMNS = [f"world_{n}_{a}" for n in LANDMARK_NAMES for a in AXES]
COLUMNS = ["ts", "stream", "person", *LANDMARK_COLUMNS, *WORLD_COLUMNS]
FORMATS = {
    "jsonl": "application/x-ndjson",
    "csv": "text/csv",
    "parquet": "application/vnd.apache.parquet",
    "bvh": "text/plain",
}


@dataclass(frozen=True)
class Source:
    """One recorded stream of a session: its storage key and the name exports show."""

    key: str
    name: str


@dataclass(frozen=True)
class Span:
    """What an export reads: these streams of one session, from `start` to `end` (None:
    to the last frame)."""

    storage: Storage
    session_id: str
    sources: list[Source]
    start: float
    end: float | None


Progress = Callable[[float], None] | None
"""Called with each row's ts as an export goes (the export job's progress)."""


def filename(session_id: str, stream: str | None, fmt: str) -> str:
    """The name an export downloads as: the session, the stream when one, the format."""
    return f"{session_id}{'-' + stream if stream else ''}.{fmt}"


def _merged(span: Span, progress: Progress = None) -> Iterator[tuple[Source, dict[str, Any]]]:
    """Every stream's rows, interleaved by ts."""
    iterators = [
        (
            (row["ts"], n, source, row)
            for row in chunks.rows(span.storage, span.session_id, source.key, span.start, span.end)
        )
        for n, source in enumerate(span.sources)
    ]
    for ts, _, source, row in heapq.merge(*iterators, key=lambda item: (item[0], item[1])):
        if progress is not None:
            progress(ts)
        yield source, row


def jsonl(span: Span, progress: Progress = None) -> Iterator[bytes]:
    batch: list[bytes] = []
    for _, row in _merged(span, progress):
        batch.append(row["pose"].encode() + b"\n")
        if len(batch) >= 256:
            yield b"".join(batch)
            batch = []
    if batch:
        yield b"".join(batch)


def _flat(rows: list[list[float]]) -> list[float | None]:
    values: list[float | None] = []
    for n in range(len(LANDMARK_NAMES)):
        point = rows[n] if n < len(rows) else None
        values.extend(point[:4] if point is not None else (None,) * 4)
    return values


def _records(source: Source, row: dict[str, Any]) -> Iterator[list[Any]]:
    pose = orjson.loads(row["pose"])
    for number, person in enumerate(pose.get("persons", [])):
        yield [
            row["ts"],
            source.name,
            number,
            *_flat(person.get("landmarks") or []),
            *_flat(person.get("world") or []),
        ]


def csv_rows(span: Span, progress: Progress = None) -> Iterator[bytes]:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    count = 0
    for source, row in _merged(span, progress):
        for record in _records(source, row):
            writer.writerow(["" if v is None else v for v in record])
            count += 1
        if count >= 256:
            yield out.getvalue().encode()
            out.seek(0)
            out.truncate()
            count = 0
    yield out.getvalue().encode()


PARQUET_SCHEMA = pa.schema(
    [("ts", pa.float64()), ("stream", pa.string()), ("person", pa.int16())]
    + [(c, pa.float32()) for c in (*LANDMARK_COLUMNS, *WORLD_COLUMNS)]
)


class _Drain(io.RawIOBase):
    """A write-only file whose bytes are taken out as they are written."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []
        self._position = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        piece = bytes(data)
        self._parts.append(piece)
        self._position += len(piece)
        return len(piece)

    def tell(self) -> int:
        return self._position

    def take(self) -> bytes:
        data, self._parts = b"".join(self._parts), []
        return data


def parquet(span: Span, progress: Progress = None) -> Iterator[bytes]:
    drain = _Drain()
    writer = pq.ParquetWriter(pa.PythonFile(drain, mode="w"), PARQUET_SCHEMA, compression="zstd")
    batch: list[list[Any]] = []

    def flush() -> None:
        columns: list[Any] = list(zip(*batch, strict=True))
        table = pa.Table.from_arrays(
            [
                pa.array(list(values), type=f.type)
                for values, f in zip(columns, PARQUET_SCHEMA, strict=True)
            ],
            schema=PARQUET_SCHEMA,
        )
        writer.write_table(table)
        batch.clear()

    for source, row in _merged(span, progress):
        batch.extend(_records(source, row))
        if len(batch) >= 2048:
            flush()
            yield drain.take()
    if batch:
        flush()
    writer.close()
    yield drain.take()


Writer = Callable[[Span, Progress], Iterator[bytes]]
WRITERS: dict[str, Writer] = {"jsonl": jsonl, "csv": csv_rows, "parquet": parquet}
"""The streamed writers by format (BVH is solved whole, in `sessions.bvh`)."""
