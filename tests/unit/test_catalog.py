"""The catalogs: every message the code and pages use has a word in both languages."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.pofile import read_po

from interfaces import i18n
from interfaces.i18n import errors
from interfaces.i18n.update import template

ROOT = Path(__file__).resolve().parents[2]


def _catalog(language: str):  # type: ignore[no-untyped-def]
    with i18n.po_path(language).open("rb") as source:
        return read_po(source, locale=language)


def test_every_message_in_use_has_a_translation_in_both_languages() -> None:
    wanted = {(m.context, m.id) for m in template() if m.id}
    for language in i18n.LANGUAGES:
        catalog = _catalog(language)
        missing = [
            (context, message)
            for context, message in sorted(wanted, key=str)
            if not (found := catalog.get(message, context=context)) or not found.string
        ]
        assert not missing, (
            f"{language}: run `python -m interfaces.i18n.update`, translate {missing}"
        )


def test_translations_keep_their_parameters() -> None:
    for language in i18n.LANGUAGES:
        for message in _catalog(language):
            if not message.id or not message.string:
                continue
            for pattern in (r"%\(\w+\)s", r"\{\w+\}"):
                assert sorted(re.findall(pattern, str(message.id))) == sorted(
                    re.findall(pattern, str(message.string))
                ), (language, message.id, message.string)


def test_every_reason_the_domain_gives_can_be_said_in_indonesian() -> None:
    """Each literal `InvalidValue(field, "...")` reason matches a catalog reason, so a
    new reason fails here until it is added to interfaces/i18n/errors.py."""
    literal = re.compile(r'InvalidValue\(\s*[^,()]+,\s*((?:f?"[^"]*"\s*)+)', re.S)
    found: set[str] = set()
    for folder in ("domain", "application"):
        for module in (ROOT / folder).rglob("*.py"):
            for parts in literal.findall(module.read_text()):
                found.add("".join(re.findall(r'"([^"]*)"', parts)))
    unknown = []
    with i18n.speaking("id"):
        for why in sorted(found):
            sample = re.sub(r"\{[^}]+\}", "X", why)
            if errors.reason(sample) is None:
                unknown.append(why)
    assert not unknown, f"add these to REASONS in interfaces/i18n/errors.py: {unknown}"


def test_dates_are_written_as_indonesians_write_them() -> None:
    from interfaces.web.format import local_text

    with i18n.speaking("id"):
        assert local_text("2024-11-27T00:05:00+00:00", "WIB") == "27 Nov 2024 07.05 WIB"
        assert (
            local_text("2024-08-17T02:00:00+00:00", "WITA") == "17 Agu 2024 10.00 WITA"
        )
    with i18n.speaking("en"):
        assert local_text("2024-11-27T00:05:00+00:00", "WIB") == "27 Nov 2024 07:05 WIB"
        assert local_text("2024-11-27T00:05:00+00:00", None) == "27 Nov 2024 00:05 UTC"


def test_board_reasons_are_said_from_their_codes() -> None:
    from interfaces.web.format import reason

    code = {"code": "no_patrol_visit_for", "amount": 6, "unit": "h"}
    with i18n.speaking("id"):
        assert reason(code) == "tidak ada kunjungan patroli selama 6 jam"
    with i18n.speaking("en"):
        assert reason(code) == "no patrol visit for 6 hours"


def test_errors_are_said_from_their_codes_and_pydantic_types() -> None:
    with i18n.speaking("id"):
        assert (
            errors.translate("team_already_on_duty", "x", {})
            == "sudah ada regu yang bertugas di lokasi ini"
        )
        literal = {
            "errors": [
                {
                    "field": "method",
                    "type": "literal_error",
                    "ctx": {"expected": "'qr', 'nfc', 'gps' or 'manual'"},
                }
            ]
        }
        assert errors.translate("invalid_value", "x", literal) == (
            "cara: harus salah satu dari: kode QR, NFC, GPS atau manual"
        )
        assert (
            errors.translate(
                "invalid_value",
                "description: must be at most 10000 characters",
                {"field": "description"},
            )
            == "uraian: paling banyak 10000 karakter"
        )
    with i18n.speaking("en"):
        assert (
            errors.translate("team_already_on_duty", "as raised", {})
            == "a team is already on duty at this site"
        )


def test_accept_language_chooses_indonesian_or_english() -> None:
    assert i18n.negotiate(None, "id-ID,id;q=0.9,en-US;q=0.8") == "id"
    assert i18n.negotiate(None, "en-US,en;q=0.9,id;q=0.8") == "en"
    assert i18n.negotiate(None, "fr-FR") == "id"
    assert i18n.negotiate(None, None, default="en") == "en"
    assert i18n.negotiate("en", "id") == "en"
