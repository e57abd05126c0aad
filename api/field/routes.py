"""Serves the officers' field app (an installable web app) at /field.

The app talks to the same /api/v1 routes as the native apps; this module only serves its
files: the shell, its web manifest, the service worker and the map settings. The service
worker is rendered with the list of shell files and a version derived from their contents,
so a changed file makes phones fetch a new shell on their next start.
"""

from __future__ import annotations

import hashlib
import json
import mimetypes
from functools import lru_cache
from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from api.http_security import map_page_policy
from api.settings import get_settings

STATIC = Path(__file__).parent / "static"
BASE = "/field/"
NO_CACHE = {"Cache-Control": "no-cache"}

mimetypes.add_type("text/javascript", ".mjs")
mimetypes.add_type("application/manifest+json", ".webmanifest")

router = APIRouter(include_in_schema=False)


@lru_cache
def shell() -> tuple[list[str], str]:
    """The URLs the service worker keeps for offline starts, and a hash of their contents."""
    digest = hashlib.sha256()
    urls = [BASE]
    for path in sorted(p for p in STATIC.rglob("*") if p.is_file() and p.name != "sw.js"):
        relative = path.relative_to(STATIC).as_posix()
        if relative.endswith(("LICENSE", "LICENSE.txt")):
            continue
        digest.update(relative.encode() + b"\0" + path.read_bytes())
        urls.append(BASE + relative)
    return urls, digest.hexdigest()[:16]


@router.get("/field")
def field_root() -> RedirectResponse:
    return RedirectResponse(BASE, status_code=308)


@router.get(BASE)
def field_index() -> FileResponse:
    headers = {**NO_CACHE, "Content-Security-Policy": map_page_policy()}
    return FileResponse(STATIC / "index.html", media_type="text/html", headers=headers)


@router.get(BASE + "sw.js")
def service_worker() -> Response:
    urls, version = shell()
    header = f"const SHELL_VERSION = {json.dumps(version)};\nconst SHELL_FILES = {json.dumps(urls)};\n"
    body = header + (STATIC / "sw.js").read_text(encoding="utf-8")
    # a service worker's fetches obey the policy its script came with
    headers = {**NO_CACHE, "Content-Security-Policy": map_page_policy()}
    return Response(body, media_type="text/javascript", headers=headers)


@router.get(BASE + "config.json")
def field_config() -> JSONResponse:
    """The map settings the app needs before it can draw anything."""
    settings = get_settings()
    return JSONResponse(
        {
            "basemap_url": settings.basemap_url,
            "basemap_datum": settings.basemap_datum,
            "basemap_attribution": settings.basemap_attribution,
            "shell_version": shell()[1],
        },
        headers=NO_CACHE,
    )


def mount_field_app(app: FastAPI) -> None:
    """The routes above, then every other file of the app as it lies in static/."""
    app.include_router(router)
    app.mount(BASE.rstrip("/"), StaticFiles(directory=STATIC), name="field")
