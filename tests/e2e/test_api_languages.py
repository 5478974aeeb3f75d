"""API errors: said in the language the client names, from the error's code; the
API's own English for a client that names none."""

from __future__ import annotations

from tests.e2e.conftest import Api

CHECK_IN = {
    "personnel_id": "nobody",
    "method": "manual",
    "occurred_at": "2024-11-27T07:00:00+07:00",
}


def _error(api: Api, key: dict[str, str], **headers: str) -> dict[str, object]:
    answer = api.client.post(
        "/api/v1/sites/no-such-site/check-ins",
        json=CHECK_IN,
        headers={**key, **headers},
    )
    assert answer.status_code == 404, answer.text
    error: dict[str, object] = answer.json()["error"]
    return error


def test_an_unknown_site_is_said_in_the_language_the_client_asks_for(
    api: Api, ops: dict[str, str]
) -> None:
    plain = _error(api, ops)
    indonesian = _error(api, ops, **{"Accept-Language": "id-ID,id;q=0.9"})
    english = _error(api, ops, **{"Accept-Language": "en-US"})
    assert plain["message"] == "unknown site: no-such-site"
    assert indonesian["message"] == "lokasi tidak dikenal: no-such-site"
    assert english["message"] == "unknown site: no-such-site"
    assert plain["code"] == indonesian["code"] == english["code"] == "not_found"
    assert plain["details"] == indonesian["details"]


def test_a_validation_error_names_the_field_in_indonesian(
    api: Api, ops: dict[str, str]
) -> None:
    answer = api.client.post(
        "/api/v1/sites/kpu-kab-jember/check-ins",
        json={**CHECK_IN, "method": "telepati"},
        headers={**ops, "Accept-Language": "id"},
    )
    assert answer.status_code == 422
    error = answer.json()["error"]
    assert error["message"] == (
        "cara: harus salah satu dari: kode QR, NFC, GPS atau manual"
    )
    assert error["details"]["field"] == "method"
