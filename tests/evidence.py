"""Real evidence files for tests: photos with EXIF made by Pillow, a small PDF."""

from __future__ import annotations

import io
from fractions import Fraction

from PIL import Image

EXIF_IFD, GPS_IFD = 0x8769, 0x8825


def _dms(value: float) -> tuple[Fraction, Fraction, Fraction]:
    value = abs(value)
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = Fraction(round(((value - degrees) * 60 - minutes) * 60 * 1000), 1000)
    return Fraction(degrees), Fraction(minutes), seconds


def photo(
    fmt: str = "JPEG",
    *,
    colour: tuple[int, int, int] = (30, 90, 160),
    size: tuple[int, int] = (64, 48),
    taken_at: str | None = None,
    offset: str | None = None,
    lat: float | None = None,
    lon: float | None = None,
) -> bytes:
    """An image of one colour; `taken_at` as EXIF writes it (2024:11:27 09:31:00)."""
    image = Image.new("RGB", size, colour)
    exif = Image.Exif()
    if taken_at:
        details = exif.get_ifd(EXIF_IFD)
        details[0x9003] = taken_at
        if offset:
            details[0x9011] = offset
    if lat is not None and lon is not None:
        gps = exif.get_ifd(GPS_IFD)
        gps[1] = "S" if lat < 0 else "N"
        gps[2] = _dms(lat)
        gps[3] = "W" if lon < 0 else "E"
        gps[4] = _dms(lon)
    out = io.BytesIO()
    if fmt == "PNG":
        image.save(out, fmt)
    else:
        image.save(out, fmt, exif=exif.tobytes())
    return out.getvalue()


def pdf(text: str = "Berita acara") -> bytes:
    """A one-page PDF, written by Pillow."""
    out = io.BytesIO()
    Image.new("RGB", (120, 80), (255, 255, 255)).save(out, "PDF", title=text)
    return out.getvalue()
