"""Uploading evidence over HTTP: kept once by SHA-256, refused when too large or not
an allowed type (judged from the bytes), EXIF time and position kept, and never
shown while no event names it; on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from infrastructure.settings import Settings
from interfaces.http.app import create_app
from tests.e2e.conftest import Api
from tests.evidence import pdf, photo

URL = "/api/v1/attachments"


def send(api: Api, key: dict[str, str], data: bytes, name: str = "foto.jpg") -> dict:
    answer = api.client.post(
        URL, headers=key, files={"file": (name, data, "image/jpeg")}
    )
    return {"status": answer.status_code, **answer.json()}


def test_an_upload_is_named_by_its_sha256_size_and_sniffed_type(
    api: Api, ops: dict[str, str]
) -> None:
    for data, kind in (
        (photo("JPEG"), "image/jpeg"),
        (photo("PNG"), "image/png"),
        (photo("WEBP"), "image/webp"),
        (pdf(), "application/pdf"),
    ):
        # The declared name and type say JPEG every time; the bytes decide.
        answer = send(api, ops, data, name="bukti.jpg")
        assert answer["status"] == 201, answer
        assert answer["sha256"] == hashlib.sha256(data).hexdigest()
        assert (answer["size"], answer["type"]) == (len(data), kind)
        assert answer["created"] is True


def test_the_same_bytes_uploaded_twice_are_stored_once(
    api: Api, ops: dict[str, str], tmp_path: Path
) -> None:
    data = photo(colour=(200, 10, 10))
    first = send(api, ops, data)
    second = send(api, api.key("field"), data, name="lagi.png")
    assert (first["status"], second["status"]) == (201, 200)
    assert second["created"] is False
    assert second["uploaded_at"] == first["uploaded_at"]
    assert second["uploaded_by"] == first["uploaded_by"]
    stored = [p for p in (tmp_path / "attachments").rglob("*") if p.is_file()]
    assert [p.name for p in stored] == [first["sha256"]]
    assert stored[0].read_bytes() == data


def test_bytes_that_are_no_allowed_type_are_refused_whatever_their_name(
    api: Api, ops: dict[str, str], tmp_path: Path
) -> None:
    fake_jpeg = b"\xff\xd8\xff\xe0" + b"not really a jpeg at all" * 10
    for data in (
        b"<html><script>alert(1)</script></html>",
        b"GIF89a" + b"\x00" * 40,
        b"MZ\x90\x00" + b"\x00" * 60,  # a Windows program named .jpg
        fake_jpeg,
        b"%PDF-1.7\n no end of file marker",
        b"\x89PN",  # too short to be anything
    ):
        answer = send(api, ops, data, name="foto.jpg")
        assert answer["status"] == 415, (data[:8], answer)
        assert answer["error"]["code"] == "unsupported_type"
        assert answer["error"]["details"]["field"] == "file"
    empty = send(api, ops, b"")
    assert empty["status"] == 422
    kept = [p for p in (tmp_path / "attachments").rglob("*") if p.is_file()]
    assert kept == []  # nothing refused is kept, not even a scratch file


def test_a_file_over_the_limit_is_refused_with_413_and_not_kept(
    api: Api, ops: dict[str, str], tmp_path: Path
) -> None:
    limit = api.state.attachments.limit
    big = photo() + b"\x00" * limit  # the bytes announce a JPEG, but too many
    answer = send(api, ops, big)
    assert answer["status"] == 413
    assert answer["error"]["code"] == "too_large"
    assert answer["error"]["details"]["limit"] == limit
    kept = [p for p in (tmp_path / "attachments").rglob("*") if p.is_file()]
    assert kept == []


def test_a_photo_keeps_its_exif_time_and_position_beside_the_upload_time(
    api: Api, ops: dict[str, str]
) -> None:
    data = photo(
        taken_at="2024:11:27 09:31:00",
        offset="+07:00",
        lat=-8.1724,
        lon=113.7008,
    )
    answer = send(api, ops, data)
    assert answer["taken_at"] == "2024-11-27T09:31:00+07:00"
    assert answer["lat"] == pytest.approx(-8.1724, abs=1e-4)
    assert answer["lon"] == pytest.approx(113.7008, abs=1e-4)
    assert answer["uploaded_at"].startswith("20")
    plain = send(api, ops, photo(colour=(1, 2, 3)))
    assert (plain["taken_at"], plain["lat"], plain["lon"]) == (None, None, None)


def test_an_upload_no_event_names_is_never_shown(api: Api, ops: dict[str, str]) -> None:
    sha = send(api, ops, photo(colour=(9, 9, 9)))["sha256"]
    for path in (f"{URL}/{sha}", f"{URL}/{sha}/meta"):
        for role in ("ops", "auditor", "bawaslu", "field"):
            answer = api.client.get(path, headers=api.key(role))
            assert answer.status_code == 404, (path, role)
    assert api.client.get(f"{URL}/{'0' * 64}", headers=ops).status_code == 404
    assert api.client.get(f"{URL}/../../etc", headers=ops).status_code == 404
    assert api.client.get(f"{URL}/ABC", headers=ops).status_code == 422


def test_uploads_need_a_role_that_records_evidence_and_a_multipart_file(
    api: Api, ops: dict[str, str]
) -> None:
    data = photo()
    assert api.client.post(URL, files={"file": ("a.jpg", data)}).status_code == 401
    for role, status in (("auditor", 403), ("admin", 403), ("bawaslu", 201)):
        answer = api.client.post(
            URL, headers=api.key(role), files={"file": ("a.jpg", data)}
        )
        assert answer.status_code in (status, 200), (role, answer.text)
    as_json = api.client.post(URL, headers=ops, json={"file": "aGVsbG8="})
    assert as_json.status_code == 415
    wrong_field = api.client.post(URL, headers=ops, files={"photo": ("a.jpg", data)})
    assert wrong_field.status_code == 422
    assert wrong_field.json()["error"]["details"]["field"] == "file"
    two = api.client.post(
        URL,
        headers=ops,
        files=[("file", ("a.jpg", data)), ("file", ("b.jpg", photo(colour=(0, 0, 1))))],
    )
    assert two.status_code == 422


def test_a_streamed_upload_without_a_length_is_cut_at_the_limit(
    api: Api, ops: dict[str, str], tmp_path: Path
) -> None:
    limit = api.state.attachments.limit
    boundary = "jagabatas"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
        'filename="a.jpg"\r\nContent-Type: image/jpeg\r\n\r\n'
    ).encode()

    def body():  # type: ignore[no-untyped-def]
        yield head + photo()
        block = b"\x00" * 65536
        for _ in range(2 * limit // len(block)):
            yield block

    answer = api.client.post(
        URL,
        headers={**ops, "Content-Type": f"multipart/form-data; boundary={boundary}"},
        content=body(),
    )
    assert answer.status_code == 413
    assert [p for p in (tmp_path / "attachments").rglob("*") if p.is_file()] == []


def test_two_servers_on_one_store_keep_one_row_for_the_same_bytes(
    settings: Settings,
) -> None:
    data = photo(colour=(7, 77, 177))
    with (
        TestClient(create_app(settings)) as one,
        TestClient(create_app(settings)) as two,
    ):
        keys = []
        for client in (one, two):
            _, secret = client.app.state.keys.create("field", "pos")  # type: ignore[attr-defined]
            keys.append({"Authorization": f"Bearer {secret}"})

        def send_from(i: int) -> int:
            client = (one, two)[i % 2]
            return client.post(
                URL, headers=keys[i % 2], files={"file": ("a.jpg", data)}
            ).status_code

        with ThreadPoolExecutor(8) as pool:
            statuses = list(pool.map(send_from, range(16)))
        assert sorted(statuses) == [200] * 15 + [201]
        index = one.app.state.attachments.index  # type: ignore[attr-defined]
        with index.datastore.transaction(commit=False) as c:
            c.execute("SELECT sha256 FROM jaga_attachments")
            assert [r["sha256"] for r in c.fetchall()] == [
                hashlib.sha256(data).hexdigest()
            ]
