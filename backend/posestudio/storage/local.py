"""Objects as files under a root directory (the embedded default: `<data_dir>/`).

A `put` writes `.tmp-<random>` beside the target, fsyncs it, `os.replace`s it into place
and fsyncs the directory: after a crash the object is either whole or absent.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from posestudio.storage.base import StorageError, check_key

TEMP_PREFIX = ".tmp-"
DELETE_ATTEMPTS = 10
"""Removals of a prefix that files kept being published into before it gives up."""


class LocalStorage:
    kind = "local"

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        return self.root / check_key(key)

    def put(self, key: str, data: bytes) -> None:
        self._publish(key, lambda handle: handle.write(data))

    def put_file(self, key: str, path: Path) -> int:
        with open(path, "rb") as source:
            return self._publish(key, lambda handle: shutil.copyfileobj(source, handle, 1 << 20))

    def _publish(self, key: str, write: Callable[[BinaryIO], object]) -> int:
        """Write a temporary file beside the key with `write`, fsync it, rename it over the
        key and fsync the directory: a reader sees the whole object or none. Its size."""
        path = self._path(key)
        temp = path.with_name(f"{TEMP_PREFIX}{secrets.token_hex(6)}-{path.name}")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(temp, "wb") as handle:
                write(handle)
                handle.flush()
                os.fsync(handle.fileno())
                size = handle.tell()
            os.replace(temp, path)
            directory = os.open(path.parent, os.O_RDONLY)
            try:
                os.fsync(directory)
            finally:
                os.close(directory)
        except OSError as exc:
            with contextlib.suppress(OSError):
                temp.unlink()
            raise StorageError(f"could not store {key}: {exc.strerror or exc}") from exc
        return size

    def get(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            raise
        except OSError as exc:
            raise StorageError(f"could not read {key}: {exc.strerror or exc}") from exc

    def get_range(self, key: str, offset: int, length: int) -> bytes:
        with open(self._path(key), "rb") as handle:
            handle.seek(offset)
            return handle.read(length)

    def iter_bytes(self, key: str, chunk_size: int = 1 << 20) -> Iterator[bytes]:
        with open(self._path(key), "rb") as handle:
            while piece := handle.read(chunk_size):
                yield piece

    def list(self, prefix: str) -> list[str]:
        base = self._path(prefix.rstrip("/"))
        if not base.is_dir():
            return []
        keys = [
            path.relative_to(self.root).as_posix()
            for path in _files(base)
            if not path.name.startswith(TEMP_PREFIX)
        ]
        return sorted(keys)

    def delete_prefix(self, prefix: str) -> int:
        base = self._path(prefix.rstrip("/"))
        if not base.exists():
            return 0
        count = sum(1 for _ in _files(base))

        def gone_already(
            function: object, path: str, info: tuple[type, BaseException, object]
        ) -> None:
            # Another delete of the same prefix got there first; anything else is an error.
            if not isinstance(info[1], FileNotFoundError):
                raise info[1]

        # A file published under the prefix while it is being removed (a job of a session
        # being deleted) leaves its directory not empty: remove again, a few times.
        for attempt in range(DELETE_ATTEMPTS):
            try:
                shutil.rmtree(base, onerror=gone_already)
            except OSError as exc:
                if exc.errno != errno.ENOTEMPTY or attempt == DELETE_ATTEMPTS - 1:
                    raise
            else:
                break
        return count

    def presign(self, key: str, expires_s: int = 3600) -> str | None:
        return None

    def clean_temporary(self, prefix: str) -> int:
        base = self._path(prefix.rstrip("/"))
        if not base.is_dir():
            return 0
        removed = 0
        for path in base.rglob(f"{TEMP_PREFIX}*"):
            with contextlib.suppress(OSError):
                path.unlink()
                removed += 1
        return removed


def _files(base: Path) -> Iterator[Path]:
    """The files under `base`; a folder removed meanwhile (a concurrent delete) is skipped
    rather than an error (`os.walk` ignores what it can no longer list)."""
    for folder, _, names in os.walk(base):
        for name in names:
            yield Path(folder) / name
