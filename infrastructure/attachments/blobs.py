"""Where uploaded bytes live, named by their SHA-256: a folder, or a bucket of an
S3-compatible object store. Writing the same bytes twice stores them once."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

from domain.evidence import sha256_hex

CHUNK = 64 * 1024


class BlobStore(Protocol):
    def has(self, sha256: str) -> bool: ...

    def put(self, sha256: str, source: Path, kind: str) -> None:
        """Stores a finished file under its hash (nothing happens if it is there)."""

    def chunks(self, sha256: str) -> Iterator[bytes]: ...

    def scratch(self) -> Path:
        """A folder for uploads in progress."""


class FileBlobs:
    """`ROOT/ab/cd/abcd…`: written to a scratch file, then renamed into place, so
    a reader never sees half a file and two writers of the same bytes agree."""

    def __init__(self, root: Path) -> None:
        self.root = root
        (root / ".incoming").mkdir(parents=True, exist_ok=True)

    def path(self, sha256: str) -> Path:
        sha256_hex(sha256, "sha256")  # the name never comes from a caller unchecked
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def scratch(self) -> Path:
        return self.root / ".incoming"

    def has(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def put(self, sha256: str, source: Path, kind: str) -> None:
        target = self.path(sha256)
        if target.is_file():
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        staged = self.scratch() / f"{sha256}.{os.getpid()}.{id(source)}"
        shutil.copyfile(source, staged)
        with staged.open("rb") as f:
            os.fsync(f.fileno())
        os.replace(staged, target)

    def chunks(self, sha256: str) -> Iterator[bytes]:
        with self.path(sha256).open("rb") as f:
            while block := f.read(CHUNK):
                yield block


class S3Blobs:
    """Objects `PREFIX/<sha256>` in one bucket. The endpoint and credentials come
    from the standard AWS settings (AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, …)."""

    def __init__(self, bucket: str, prefix: str, scratch: Path, client: Any) -> None:
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self._scratch = scratch
        scratch.mkdir(parents=True, exist_ok=True)
        self.client = client

    @classmethod
    def from_url(cls, url: str, scratch: Path, **client_options: Any) -> S3Blobs:
        import boto3
        from botocore.config import Config

        rest = url.removeprefix("s3://")
        bucket, _, prefix = rest.partition("/")
        if not bucket:
            raise ValueError("JAGA_ATTACHMENTS: s3://BUCKET[/PREFIX] names no bucket")
        config = Config(
            retries={"max_attempts": 3, "mode": "standard"},
            connect_timeout=5,
            read_timeout=30,
        )
        client = boto3.client("s3", config=config, **client_options)
        return cls(bucket, prefix, scratch, client)

    def key(self, sha256: str) -> str:
        sha256_hex(sha256, "sha256")
        return f"{self.prefix}/{sha256}" if self.prefix else sha256

    def scratch(self) -> Path:
        return self._scratch

    def has(self, sha256: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self.key(sha256))
        except ClientError as error:
            code = str(error.response.get("Error", {}).get("Code", ""))
            if code in ("404", "NoSuchKey", "NotFound"):
                return False
            raise
        return True

    def put(self, sha256: str, source: Path, kind: str) -> None:
        if self.has(sha256):
            return
        self.client.upload_file(
            str(source),
            self.bucket,
            self.key(sha256),
            ExtraArgs={"ContentType": kind},
        )

    def chunks(self, sha256: str) -> Iterator[bytes]:
        answer = self.client.get_object(Bucket=self.bucket, Key=self.key(sha256))
        body = answer["Body"]
        try:
            yield from body.iter_chunks(CHUNK)
        finally:
            body.close()


def open_blobs(location: str) -> BlobStore:
    """`s3://bucket/prefix` for object storage; anything else is a folder."""
    if location.startswith("s3://"):
        scratch = Path(tempfile.gettempdir()) / "jaga-uploads"
        return S3Blobs.from_url(location, scratch)
    return FileBlobs(Path(location))
