"""Indonesia's provinces and their time zones (WIB, WITA, WIT)."""

from __future__ import annotations

from datetime import timedelta, timezone

ZONE_NAMES = ("WIB", "WITA", "WIT")
ZONES = {
    "WIB": timezone(timedelta(hours=7), "WIB"),
    "WITA": timezone(timedelta(hours=8), "WITA"),
    "WIT": timezone(timedelta(hours=9), "WIT"),
}

_WIB = (
    "aceh sumatera-utara sumatera-barat riau kepulauan-riau jambi sumatera-selatan "
    "kepulauan-bangka-belitung bengkulu lampung dki-jakarta jawa-barat banten "
    "jawa-tengah di-yogyakarta jawa-timur kalimantan-barat kalimantan-tengah"
)
_WITA = (
    "bali nusa-tenggara-barat nusa-tenggara-timur kalimantan-selatan kalimantan-timur "
    "kalimantan-utara sulawesi-utara sulawesi-tengah sulawesi-selatan "
    "sulawesi-tenggara gorontalo sulawesi-barat"
)
_WIT = (
    "maluku maluku-utara papua papua-barat papua-barat-daya papua-selatan "
    "papua-tengah papua-pegunungan"
)

PROVINCE_ZONES: dict[str, str] = {
    **dict.fromkeys(_WIB.split(), "WIB"),
    **dict.fromkeys(_WITA.split(), "WITA"),
    **dict.fromkeys(_WIT.split(), "WIT"),
}


def zone_of(province: str) -> str | None:
    """The time zone of a province slug, or None for a province not in the table."""
    return PROVINCE_ZONES.get(province)
