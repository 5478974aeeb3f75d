"""What an uploaded file is, read from its bytes alone (never from its name or its
declared type), and the camera's time and position from a photo's EXIF."""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from PIL import Image

HEAD = 16  # bytes enough to tell the allowed types apart
PIL_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}
EXIF_IFD, GPS_IFD = 0x8769, 0x8825
DATE_TIME_ORIGINAL, OFFSET_TIME_ORIGINAL = 0x9003, 0x9011
DATE_TIME = 0x0132
# A photo is never this large; a file claiming more is refused, not decoded.
MAX_PIXELS = 200_000_000


def sniff(head: bytes) -> str | None:
    """The allowed type the first bytes announce, or None."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    return None


def confirmed(path: Path, kind: str) -> bool:
    """Whether the whole file is what its first bytes say: an image whose header
    the imaging library parses as that format, or a PDF that ends as PDFs do."""
    if kind == "application/pdf":
        size = path.stat().st_size
        with path.open("rb") as f:
            f.seek(max(0, size - 2048))
            return b"%%EOF" in f.read()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                width, height = image.size
                return (
                    image.format == PIL_FORMATS[kind]
                    and 0 < width * height <= MAX_PIXELS
                )
    except Exception:  # any failure to parse is "not this type"
        return False


@dataclass(frozen=True)
class Exif:
    taken_at: str | None = None
    lat: float | None = None
    lon: float | None = None


def _degrees(value: Any, ref: Any, limit: float) -> float | None:
    try:
        d, m, s = (float(x) for x in value)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    degrees = d + m / 60 + s / 3600
    if isinstance(ref, bytes):
        ref = ref.decode("ascii", "replace")
    if str(ref).strip().upper() in ("S", "W"):
        degrees = -degrees
    if not math.isfinite(degrees) or abs(degrees) > limit:
        return None
    return round(degrees, 7)


def _taken_at(stamp: Any, offset: Any) -> str | None:
    """EXIF's `YYYY:MM:DD HH:MM:SS`, with its offset when the camera wrote one;
    without it the time is the camera's local time, kept as written."""
    if not isinstance(stamp, str):
        return None
    try:
        moment = datetime.strptime(stamp.strip("\x00 "), "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    if isinstance(offset, str):
        try:
            aware = datetime.fromisoformat(f"{moment.isoformat()}{offset.strip()}")
        except ValueError:
            aware = None
        if aware is not None and aware.tzinfo is not None:
            return aware.isoformat()
    return moment.isoformat()


def read_exif(path: Path, kind: str) -> Exif:
    """The photo's time and GPS position, when its EXIF holds them."""
    if kind not in PIL_FORMATS:
        return Exif()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(path) as image:
                exif = image.getexif()
                details = exif.get_ifd(EXIF_IFD)
                gps = exif.get_ifd(GPS_IFD)
    except Exception:  # a photo without readable EXIF simply has none
        return Exif()
    taken = _taken_at(
        details.get(DATE_TIME_ORIGINAL) or exif.get(DATE_TIME),
        details.get(OFFSET_TIME_ORIGINAL),
    )
    lat = lon = None
    if 2 in gps and 4 in gps:
        lat = _degrees(gps.get(2), gps.get(1), 90)
        lon = _degrees(gps.get(4), gps.get(3), 180)
        if lat is None or lon is None:
            lat = lon = None
    return Exif(taken_at=taken, lat=lat, lon=lon)
