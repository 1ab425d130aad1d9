"""Objects in an S3-compatible bucket (AWS S3, MinIO, Cloudflare R2) through boto3.

S3 makes an object visible only once its upload is complete, so a `put` is atomic by
itself: one `PutObject`, or a multipart upload above `multipart_bytes` (aborted on
failure, so no part lingers).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from posestudio.storage.base import StorageError, check_key

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

# Smallest part S3 accepts (but the last).
MIN_PART_BYTES = 5 * 1024 * 1024
DELETE_BATCH = 1000


class S3Storage:
    kind = "s3"

    def __init__(
        self,
        *,
        bucket: str,
        prefix: str = "",
        endpoint_url: str | None = None,
        region: str = "us-east-1",
        access_key_id: str | None = None,
        secret_access_key: str | None = None,
        multipart_bytes: int = 8 * 1024 * 1024,
        client: S3Client | None = None,
    ) -> None:
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.multipart_bytes = max(multipart_bytes, MIN_PART_BYTES)
        self.client: S3Client = client or boto3.client(
            "s3",
            endpoint_url=endpoint_url,
            region_name=region,
            aws_access_key_id=access_key_id,
            aws_secret_access_key=secret_access_key,
            config=Config(
                retries={"max_attempts": 3, "mode": "standard"},
                connect_timeout=5,
                read_timeout=30,
                s3={"addressing_style": "path"},
            ),
        )

    def _key(self, key: str) -> str:
        return self.prefix + check_key(key)

    def _failed(self, what: str, exc: Exception) -> StorageError:
        return StorageError(f"s3 {what} failed: {exc}", details={"bucket": self.bucket})

    def put(self, key: str, data: bytes) -> None:
        name = self._key(key)
        try:
            if len(data) <= self.multipart_bytes:
                self.client.put_object(Bucket=self.bucket, Key=name, Body=data)
            else:
                self._multipart(name, data)
        except (BotoCoreError, ClientError) as exc:
            raise self._failed(f"put {key}", exc) from exc

    def put_file(self, key: str, path: Path) -> int:
        """boto3's managed upload: multipart above `multipart_bytes`, visible only once
        complete (and aborted on failure)."""
        from boto3.exceptions import Boto3Error
        from boto3.s3.transfer import TransferConfig

        config = TransferConfig(
            multipart_threshold=self.multipart_bytes, multipart_chunksize=self.multipart_bytes
        )
        try:
            self.client.upload_file(str(path), self.bucket, self._key(key), Config=config)
        except (BotoCoreError, ClientError, Boto3Error, OSError) as exc:
            raise self._failed(f"put {key}", exc) from exc
        return path.stat().st_size

    def _multipart(self, name: str, data: bytes) -> None:
        upload = self.client.create_multipart_upload(Bucket=self.bucket, Key=name)
        upload_id = upload["UploadId"]
        try:
            parts: list[Any] = []
            step = self.multipart_bytes
            for number, start in enumerate(range(0, len(data), step), start=1):
                answer = self.client.upload_part(
                    Bucket=self.bucket,
                    Key=name,
                    UploadId=upload_id,
                    PartNumber=number,
                    Body=data[start : start + step],
                )
                parts.append({"PartNumber": number, "ETag": answer["ETag"]})
            self.client.complete_multipart_upload(
                Bucket=self.bucket,
                Key=name,
                UploadId=upload_id,
                MultipartUpload={"Parts": parts},
            )
        except BaseException:
            self.client.abort_multipart_upload(Bucket=self.bucket, Key=name, UploadId=upload_id)
            raise

    def get(self, key: str) -> bytes:
        try:
            return self.client.get_object(Bucket=self.bucket, Key=self._key(key))["Body"].read()
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                raise FileNotFoundError(key) from exc
            raise self._failed(f"get {key}", exc) from exc
        except BotoCoreError as exc:
            raise self._failed(f"get {key}", exc) from exc

    def get_range(self, key: str, offset: int, length: int) -> bytes:
        try:
            answer = self.client.get_object(
                Bucket=self.bucket,
                Key=self._key(key),
                Range=f"bytes={offset}-{offset + length - 1}",
            )
            return answer["Body"].read()
        except (BotoCoreError, ClientError) as exc:
            raise self._failed(f"get {key}", exc) from exc

    def iter_bytes(self, key: str, chunk_size: int = 1 << 20) -> Iterator[bytes]:
        try:
            body = self.client.get_object(Bucket=self.bucket, Key=self._key(key))["Body"]
        except (BotoCoreError, ClientError) as exc:
            raise self._failed(f"get {key}", exc) from exc
        yield from body.iter_chunks(chunk_size)

    def _names(self, prefix: str) -> Iterator[str]:
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=self._key(prefix.rstrip("/"))):
            for item in page.get("Contents", []):
                yield item["Key"]

    def list(self, prefix: str) -> list[str]:
        try:
            return sorted(name[len(self.prefix) :] for name in self._names(prefix))
        except (BotoCoreError, ClientError) as exc:
            raise self._failed(f"list {prefix}", exc) from exc

    def delete_prefix(self, prefix: str) -> int:
        try:
            names = list(self._names(prefix))
            for start in range(0, len(names), DELETE_BATCH):
                batch = names[start : start + DELETE_BATCH]
                self.client.delete_objects(
                    Bucket=self.bucket,
                    Delete={"Objects": [{"Key": n} for n in batch], "Quiet": True},
                )
            self._abort_uploads(prefix)
        except (BotoCoreError, ClientError) as exc:
            raise self._failed(f"delete {prefix}", exc) from exc
        return len(names)

    def _abort_uploads(self, prefix: str) -> int:
        answer = self.client.list_multipart_uploads(
            Bucket=self.bucket, Prefix=self._key(prefix.rstrip("/"))
        )
        uploads = answer.get("Uploads", [])
        for upload in uploads:
            self.client.abort_multipart_upload(
                Bucket=self.bucket, Key=upload["Key"], UploadId=upload["UploadId"]
            )
        return len(uploads)

    def presign(self, key: str, expires_s: int = 3600) -> str | None:
        url: str = self.client.generate_presigned_url(
            "get_object",
            Params={"Bucket": self.bucket, "Key": self._key(key)},
            ExpiresIn=expires_s,
        )
        return url

    def clean_temporary(self, prefix: str) -> int:
        """Multipart uploads a crash left open are the only partial objects S3 keeps."""
        try:
            return self._abort_uploads(prefix)
        except (BotoCoreError, ClientError) as exc:
            raise self._failed(f"clean {prefix}", exc) from exc
