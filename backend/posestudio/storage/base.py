"""The storage interface: whole objects by key, published atomically.

Keys are `/`-separated relative paths. `put` makes an object appear whole or not at all
(a reader never sees part of it); `list` returns only published objects.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

from posestudio.errors import StorageFailed

StorageError = StorageFailed


class Storage(Protocol):
    kind: str

    def put(self, key: str, data: bytes) -> None:
        """Publish `data` under `key`, atomically (replacing any object there)."""
        ...

    def put_file(self, key: str, path: Path) -> int:
        """Publish a file's contents under `key`, atomically, without reading it whole
        into memory; its size."""
        ...

    def get(self, key: str) -> bytes: ...

    def get_range(self, key: str, offset: int, length: int) -> bytes: ...

    def iter_bytes(self, key: str, chunk_size: int = 1 << 20) -> Iterator[bytes]:
        """The object in pieces, for streaming it to a client."""
        ...

    def list(self, prefix: str) -> list[str]:
        """Published keys under `prefix`, sorted."""
        ...

    def delete_prefix(self, prefix: str) -> int:
        """Remove every object under `prefix`; how many there were."""
        ...

    def presign(self, key: str, expires_s: int = 3600) -> str | None:
        """A URL that fetches the object without credentials, where the backend has one."""
        ...

    def clean_temporary(self, prefix: str) -> int:
        """Remove what an interrupted `put` left behind under `prefix`."""
        ...


def check_key(key: str) -> str:
    """Refuse keys that could leave the storage's root."""
    parts = key.split("/")
    if not key or key.startswith("/") or any(p in ("", ".", "..") for p in parts):
        raise ValueError(f"bad storage key {key!r}")
    return key
