"""Attachments in S3-compatible object storage, chosen by one setting, against a
real S3 server (moto in server mode) that the test starts; on both stores."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from infrastructure.settings import Settings
from interfaces.http.app import create_app
from tests import s3
from tests.evidence import photo


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    with s3.s3_server() as url:
        yield url


@pytest.fixture
def bucket(
    endpoint: str, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> str:
    name = f"jaga-{abs(hash(request.node.name)) % 10**8}"
    s3.client(endpoint).create_bucket(
        Bucket=name,
        CreateBucketConfiguration={
            "LocationConstraint": s3.CREDENTIALS["AWS_DEFAULT_REGION"]
        },
    )
    for key, value in {**s3.CREDENTIALS, "AWS_ENDPOINT_URL": endpoint}.items():
        monkeypatch.setenv(key, value)
    return name


def test_uploads_go_to_the_bucket_once_and_come_back_byte_for_byte(
    store_url: str, tmp_path: Path, endpoint: str, bucket: str
) -> None:
    settings = Settings(
        database_url=store_url,
        signing_key_file=tmp_path / "signing.key",
        attachments=f"s3://{bucket}/evidence",
    )
    data = photo(taken_at="2024:02:14 07:05:00", lat=-3.13, lon=104.08)
    with TestClient(create_app(settings)) as client:
        state = client.app.state  # type: ignore[attr-defined]
        _, secret = state.keys.create("field", "s3 test")
        key = {"Authorization": f"Bearer {secret}"}
        first = client.post(
            "/api/v1/attachments", headers=key, files={"file": ("a.jpg", data)}
        )
        again = client.post(
            "/api/v1/attachments", headers=key, files={"file": ("b.jpg", data)}
        )
        assert (first.status_code, again.status_code) == (201, 200)
        sha = hashlib.sha256(data).hexdigest()
        assert first.json()["sha256"] == sha
        assert first.json()["taken_at"] == "2024-02-14T07:05:00"
        assert state.attachments.read(sha) == data
    listed = s3.client(endpoint).list_objects_v2(Bucket=bucket)
    assert [o["Key"] for o in listed["Contents"]] == [f"evidence/{sha}"]
    head = s3.client(endpoint).head_object(Bucket=bucket, Key=f"evidence/{sha}")
    assert head["ContentType"] == "image/jpeg"
    assert head["ContentLength"] == len(data)
    # Nothing of the upload stays on the server's disk.
    assert not (tmp_path / "attachments").exists()


def test_an_unreachable_object_store_answers_503_with_retry_after(
    store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    closed = s3.free_port()  # nothing listens there
    for key, value in {
        **s3.CREDENTIALS,
        "AWS_ENDPOINT_URL": f"http://127.0.0.1:{closed}",
    }.items():
        monkeypatch.setenv(key, value)
    settings = Settings(
        database_url=store_url,
        signing_key_file=tmp_path / "signing.key",
        attachments="s3://nowhere/evidence",
    )
    with TestClient(create_app(settings)) as client:
        state = client.app.state  # type: ignore[attr-defined]
        _, secret = state.keys.create("field", "s3 down")
        answer = client.post(
            "/api/v1/attachments",
            headers={"Authorization": f"Bearer {secret}"},
            files={"file": ("a.jpg", photo())},
        )
    assert answer.status_code == 503
    assert answer.headers["retry-after"]
    assert answer.json()["error"]["code"] == "unavailable"
