"""The field app at /lapangan: its shell, scripts, service worker, manifest and words.

Everything it needs is served from here (no CDN, no build step); the service worker
keeps it all, so the app opens and records with no connection at all.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import Response

from interfaces import i18n
from interfaces.http.errors import ApiError
from interfaces.web.render import TEMPLATES

HERE = Path(__file__).parent / "static" / "field"
FILES = {
    "app.js": "text/javascript",
    "forms.js": "text/javascript",
    "store.js": "text/javascript",
    "sync.js": "text/javascript",
    "words.js": "text/javascript",
    "scan.js": "text/javascript",
    "alerts.js": "text/javascript",
    "field.css": "text/css",
    "icon-192.png": "image/png",
    "icon-512.png": "image/png",
}
# The app is a page of its own: it may use the camera (scanning a poster's QR code)
# and the position, and runs a service worker from /lapangan.
HEADERS = {
    "Cache-Control": "no-cache",
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; "
    "style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; "
    "worker-src 'self'; manifest-src 'self'; media-src 'self' blob:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(self), geolocation=(self)",
}

router = APIRouter(include_in_schema=False)


@cache
def version() -> str:
    """Changes whenever a file of the app or a catalog changes: the service worker's
    cache name, so a new version replaces the old one on the phones."""
    digest = hashlib.sha256()
    for name in sorted(FILES):
        digest.update((HERE / name).read_bytes())
    digest.update((HERE / "sw.js").read_bytes())
    for language in i18n.LANGUAGES:
        digest.update(i18n.po_path(language).read_bytes())
    return digest.hexdigest()[:12]


@router.get("/lapangan")
def shell(request: Request) -> Response:
    response = TEMPLATES.TemplateResponse(request, "field.html", {"version": version()})
    response.headers.update(HEADERS)
    return response


@router.get("/lapangan/sw.js")
def service_worker() -> Response:
    text = (
        (HERE / "sw.js")
        .read_text()
        .replace("__VERSION__", version())
        .replace("__PRECACHE__", json.dumps(precache()))
    )
    return Response(
        text,
        media_type="text/javascript",
        headers={**HEADERS, "Service-Worker-Allowed": "/lapangan"},
    )


@router.get("/lapangan/manifest.webmanifest")
def manifest() -> Response:
    body = {
        "name": "Jaga Lapangan",
        "short_name": "Jaga",
        "description": i18n.gettext(
            "Record check-ins, shifts, patrols and incidents, also offline"
        ),
        "lang": i18n.language(),
        "start_url": "/lapangan",
        "scope": "/lapangan",
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#0d1b2a",
        "theme_color": "#0d1b2a",
        "icons": [
            {
                "src": f"/lapangan/static/icon-{s}.png",
                "sizes": f"{s}x{s}",
                "type": "image/png",
                "purpose": "any maskable",
            }
            for s in (192, 512)
        ],
    }
    return Response(
        json.dumps(body), media_type="application/manifest+json", headers=HEADERS
    )


@cache
def _words(language: str) -> str:
    """The catalog as JSON for the app's `t()`: msgid (or context \\x04 msgid) to
    the message in this language."""
    catalog = i18n.translations(language)._catalog
    found = {
        key: value
        for key, value in catalog.items()
        if isinstance(key, str) and key and isinstance(value, str)
    }
    return json.dumps({"language": language, "messages": found}, ensure_ascii=False)


@router.get("/lapangan/words/{language}.json")
def words(language: str) -> Response:
    if language not in i18n.LANGUAGES:
        raise ApiError(404, "not_found", f"no such language: {language}", id=language)
    return Response(_words(language), media_type="application/json", headers=HEADERS)


@router.get("/lapangan/static/{name}")
def static(name: str) -> Response:
    if name not in FILES:
        raise ApiError(404, "not_found", f"no such file: {name}", file=name)
    return Response((HERE / name).read_bytes(), media_type=FILES[name], headers=HEADERS)


def precache() -> list[str]:
    """What the service worker keeps: the shell, every file, both languages."""
    return [
        "/lapangan",
        "/lapangan/manifest.webmanifest",
        *(f"/lapangan/static/{name}" for name in sorted(FILES)),
        *(f"/lapangan/words/{language}.json" for language in i18n.LANGUAGES),
    ]
