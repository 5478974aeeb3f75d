"""The API's reference at /docs: Swagger UI served by Jaga itself (vendored from its
npm package, licence beside it), so it needs no CDN and works offline."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from interfaces.http.errors import ApiError
from interfaces.i18n import _, language

router = APIRouter(include_in_schema=False)

FOLDER = Path(__file__).resolve().parent / "static" / "swagger"
FILES = {
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui.css": "text/css",
    "favicon-32x32.png": "image/png",
}
# Swagger UI sets styles from its scripts and shows images as data: URLs.
HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
}


@router.get("/docs")
def docs(request: Request) -> Response:
    openapi = request.app.openapi_url or "/openapi.json"
    title = _("API reference")
    page = f"""<!doctype html>
<html lang="{language()}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Jaga · {title}</title>
<link rel="stylesheet" href="/static/swagger/swagger-ui.css">
<link rel="icon" href="/static/swagger/favicon-32x32.png">
</head>
<body data-openapi="{openapi}">
<div id="swagger-ui"></div>
<script src="/static/swagger/swagger-ui-bundle.js"></script>
<script src="/static/docs.js"></script>
</body>
</html>
"""
    return HTMLResponse(page, headers=HEADERS)


@router.get("/static/swagger/{name}")
def swagger_file(name: str) -> Response:
    if name not in FILES:
        raise ApiError(404, "not_found", f"no such file: {name}", file=name)
    return FileResponse(
        FOLDER / name,
        media_type=FILES[name],
        headers={
            "Cache-Control": "public, max-age=86400",
            "X-Content-Type-Options": "nosniff",
        },
    )
