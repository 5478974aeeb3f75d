"""Enrolment codes cannot be guessed: an address that failed ten codes within a
quarter of an hour is refused for the rest of it, on every server process (the
failures are counted in the database), while other addresses redeem as before."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from infrastructure.enrolments import FAILURE_WINDOW, MAX_FAILURES, TooManyFailures
from tests.e2e.conftest import Api

UNIT = {
    "unit_id": "polres-jember",
    "name": "Polres Jember",
    "kind": "polri",
    "province": "jawa-timur",
    "regency": "kab-jember",
}


def enrolment_code(api: Api, ops: dict[str, str]) -> str:
    made = api.client.post("/api/v1/units", json=UNIT, headers=ops)
    assert made.status_code == 201, made.text
    answer = api.client.post(
        "/api/v1/enrolments", json={"unit_id": "polres-jember"}, headers=ops
    )
    assert answer.status_code == 201, answer.text
    return str(answer.json()["code"])


def test_an_address_that_guesses_codes_is_refused_for_a_while(
    api: Api, ops: dict[str, str]
) -> None:
    code = enrolment_code(api, ops)
    for n in range(MAX_FAILURES):
        wrong = api.client.post("/api/v1/enrolments/redeem", json={"code": f"X{n}"})
        assert wrong.status_code == 403
        assert wrong.json()["error"]["code"] == "enrolment_invalid"
    # Even the right code is refused now: the guessing does not go on.
    refused = api.client.post(
        "/api/v1/enrolments/redeem",
        json={"code": code},
        headers={"Accept-Language": "id"},
    )
    assert refused.status_code == 429
    error = refused.json()["error"]
    assert error["code"] == "too_many_attempts"
    assert "coba lagi" in error["message"]
    wait = int(refused.headers["Retry-After"])
    assert 0 < wait <= FAILURE_WINDOW.total_seconds()
    assert error["details"]["retry_after_seconds"] == wait

    # Another address is not held back, and the code was not used up.
    enrolments = api.state.enrolments
    made, _, secret = enrolments.redeem(code, "HP Bripka Andi", address="10.1.1.2")
    assert made.unit_id == "polres-jember" and secret


def test_failures_older_than_the_window_no_longer_count(
    api: Api, ops: dict[str, str]
) -> None:
    code = enrolment_code(api, ops)
    enrolments = api.state.enrolments
    then = datetime.now(UTC) - FAILURE_WINDOW - timedelta(minutes=1)
    for n in range(MAX_FAILURES):
        try:
            enrolments.redeem(f"WRONG{n}", "HP", now=then, address="10.9.9.9")
        except TooManyFailures:
            raise AssertionError("refused before ten failures") from None
        except Exception as error:
            assert type(error).__name__ == "EnrolmentInvalid"
    made, _, _ = enrolments.redeem(code, "HP", address="10.9.9.9")
    assert made.unit_id == "polres-jember"
