"""Where sessions keep their objects: one interface, a `local` and an `s3` backend."""

from posestudio.storage.base import Storage, StorageError
from posestudio.storage.factory import build_storage

__all__ = ["Storage", "StorageError", "build_storage"]
