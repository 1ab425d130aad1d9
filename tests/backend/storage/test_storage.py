"""Both storage backends through the one interface: local files, and S3 on a real
S3-compatible server (moto's standalone server on loopback)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from posestudio.errors import StorageFailed
from posestudio.storage import Storage
from posestudio.storage.local import LocalStorage
from posestudio.storage.s3 import S3Storage
from tests.utils.sessions import moto_s3, s3_client, s3_storage


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    with moto_s3() as url:
        yield url


@pytest.fixture(params=("local", "s3"))
def storage(request: pytest.FixtureRequest, tmp_path: Path, s3_endpoint: str) -> Storage:
    if request.param == "local":
        return LocalStorage(tmp_path)
    return s3_storage(s3_endpoint)


def test_put_get_range_list_and_delete(storage: Storage) -> None:
    storage.put("sessions/a/one.bin", b"0123456789")
    storage.put("sessions/a/sub/two.bin", b"abc")
    storage.put("sessions/b/three.bin", b"x")
    assert storage.get("sessions/a/one.bin") == b"0123456789"
    assert storage.get_range("sessions/a/one.bin", 3, 4) == b"3456"
    assert b"".join(storage.iter_bytes("sessions/a/one.bin", 4)) == b"0123456789"
    assert storage.list("sessions/a/") == ["sessions/a/one.bin", "sessions/a/sub/two.bin"]
    storage.put("sessions/a/one.bin", b"new")  # replaced whole
    assert storage.get("sessions/a/one.bin") == b"new"
    assert storage.delete_prefix("sessions/a/") == 2
    assert storage.list("sessions/a/") == []
    assert storage.list("sessions/b/") == ["sessions/b/three.bin"]
    with pytest.raises(FileNotFoundError):
        storage.get("sessions/a/one.bin")


@pytest.mark.parametrize("key", ["", "/abs", "a/../b", "a//b", "./a"])
def test_keys_that_could_escape_are_refused(storage: Storage, key: str) -> None:
    with pytest.raises(ValueError):
        storage.put(key, b"x")


def test_local_put_is_atomic_and_leaves_no_temporary(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path)
    storage.put("s/x.bin", b"whole")
    assert sorted(p.name for p in (tmp_path / "s").iterdir()) == ["x.bin"]
    # A temporary left by a crash mid-put is never listed, and recovery removes it.
    (tmp_path / "s" / ".tmp-abc-y.bin").write_bytes(b"half")
    assert storage.list("s/") == ["s/x.bin"]
    assert storage.clean_temporary("s/") == 1
    assert sorted(p.name for p in (tmp_path / "s").iterdir()) == ["x.bin"]


def test_local_put_failure_is_a_storage_error_and_leaves_nothing(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path)
    storage.put("s/ok.bin", b"1")
    (tmp_path / "blocked").write_bytes(b"")  # a file where a folder must go: the put fails
    with pytest.raises(StorageFailed):
        storage.put("blocked/x.bin", b"2")
    assert storage.list("s/") == ["s/ok.bin"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["blocked", "s"]


def test_s3_large_objects_go_up_in_parts(s3_endpoint: str) -> None:
    storage = s3_storage(s3_endpoint, multipart_bytes=5 * 1024 * 1024)
    data = os.urandom(11 * 1024 * 1024)
    storage.put("big/object.bin", data)
    head = s3_client(s3_endpoint).head_object(Bucket=storage.bucket, Key="big/object.bin")
    assert head["ETag"].strip('"').endswith("-3")  # three parts: S3's multipart ETag
    assert storage.get("big/object.bin") == data
    assert storage.get_range("big/object.bin", 6 * 1024 * 1024, 5) == data[6 * 1024 * 1024 :][:5]


def test_s3_presigned_url_fetches_without_credentials(s3_endpoint: str) -> None:
    storage = s3_storage(s3_endpoint)
    storage.put("clips/a.mp4", b"movie")
    url = storage.presign("clips/a.mp4", 60)
    assert url is not None and "Signature" in url
    assert httpx.get(url).content == b"movie"
    assert LocalStorage(Path("/nonexistent")).presign("x") is None


def test_s3_prefix_keeps_to_its_own_keys(s3_endpoint: str) -> None:
    plain = s3_storage(s3_endpoint)
    prefixed = S3Storage(
        bucket=plain.bucket,
        prefix="tenant/",
        endpoint_url=s3_endpoint,
        access_key_id="testing-key",
        secret_access_key="testing-secret",
    )
    prefixed.put("sessions/x", b"1")
    plain.put("sessions/y", b"2")
    assert prefixed.list("sessions/") == ["sessions/x"]
    assert plain.list("tenant/") == ["tenant/sessions/x"]
    prefixed.delete_prefix("sessions/")
    assert plain.list("sessions/") == ["sessions/y"]


def test_s3_down_is_a_storage_error(tmp_path: Path) -> None:
    with moto_s3() as url:
        storage = s3_storage(url)
    with pytest.raises(StorageFailed):
        storage.put("x", b"1")
