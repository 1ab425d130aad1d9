"""The storage the settings name."""

from __future__ import annotations

from posestudio.settings import Settings
from posestudio.storage.base import Storage


def build_storage(settings: Settings) -> Storage:
    if settings.storage_backend == "s3":
        from posestudio.storage.s3 import S3Storage

        secret = settings.s3_secret_access_key
        return S3Storage(
            bucket=settings.s3_bucket,
            prefix=settings.s3_prefix,
            endpoint_url=settings.s3_endpoint_url,
            region=settings.s3_region,
            access_key_id=settings.s3_access_key_id,
            secret_access_key=secret.get_secret_value() if secret else None,
            multipart_bytes=settings.s3_multipart_bytes,
        )
    from posestudio.storage.local import LocalStorage

    return LocalStorage(settings.data_dir)
