"""Routes of the console_http function: the built web console and its config.

GET /                 index.html (no-cache; a <base> tag points at this function's URL)
GET /config.json      Firebase web config, each HTTP function's public URL, Auth emulator
GET /assets/<name>    hashed, immutable build assets (JS, CSS, images)

The console is built by `npm run build` in console/ (`make console`) into console/dist;
the deploy puts that folder into the functions' source zip as console_dist/ (infra/source.tf),
so the same code finds it in either place. Public: the page is static and signs in with
Identity Platform itself; every API call it makes carries the person's ID token.
"""

from __future__ import annotations

import html
import mimetypes
import os
from functools import cache
from pathlib import Path
from typing import Any

import flask

from core.errors import ApiError, not_found
from core.http import Router
from core.settings import settings

router = Router("console_http")

HERE = Path(__file__).resolve().parent
# The deployed zip holds the build at functions/console_dist; a checkout at console/dist.
CANDIDATES = (HERE.parent / "console_dist", HERE.parent.parent / "console" / "dist")
IMMUTABLE = "public, max-age=31536000, immutable"
TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".json": "application/json",
    ".map": "application/json",
    ".html": "text/html; charset=utf-8",
}


def dist_dir() -> Path:
    override = os.environ.get("CONSOLE_DIST")
    for d in ((Path(override),) if override else ()) + CANDIDATES:
        if (d / "index.html").is_file():
            return d
    raise ApiError(
        503,
        "console_not_built",
        "the console is not built: run `make console` (npm ci && npm run build in console/)",
    )


@cache
def _index(path: str, mtime: float, base: str) -> bytes:
    """index.html with a <base> at this function's public URL, so the relative asset URLs
    resolve whether or not the address bar has a trailing slash."""
    text = Path(path).read_text(encoding="utf-8")
    tag = f'<base href="{html.escape(base.rstrip("/") + "/", quote=True)}">'
    return text.replace("<head>", f"<head>\n    {tag}", 1).encode()


def index(request: flask.Request) -> flask.Response:
    f = dist_dir() / "index.html"
    body = _index(str(f), f.stat().st_mtime, settings().public_url)
    return flask.Response(
        body,
        headers={
            "Cache-Control": "no-cache",
            "Content-Type": "text/html; charset=utf-8",
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
        },
    )


def asset(request: flask.Request, name: str) -> flask.Response:
    root = (dist_dir() / "assets").resolve()
    f = (root / name).resolve()
    if not f.is_relative_to(root) or not f.is_file():
        raise not_found("asset")
    ctype = TYPES.get(f.suffix) or mimetypes.guess_type(f.name)[0] or "application/octet-stream"
    return flask.Response(
        f.read_bytes(),
        headers={
            "Cache-Control": IMMUTABLE,
            "Content-Type": ctype,
            "X-Content-Type-Options": "nosniff",
        },
    )


def config(request: flask.Request) -> flask.Response:
    """What the page needs before it can sign anybody in (all public values)."""
    import json

    s = settings()
    project = s.google_cloud_project
    emulator = s.firebase_auth_emulator_host if s.emulator_affordances else None
    body: dict[str, Any] = {
        "firebase": {
            "apiKey": s.console_firebase_api_key or ("fake-api-key" if emulator else ""),
            "authDomain": s.console_firebase_auth_domain or f"{project}.firebaseapp.com",
            "projectId": project,
        },
        "authEmulator": f"http://{emulator}" if emulator else None,
        "functions": json.loads(s.function_urls_json or "{}"),
    }
    from core.http import json_response

    return json_response(body, headers={"Cache-Control": "no-cache"})


# The handlers are in this module: a public static page has nothing to load lazily.
for _path in ("/", "/index.html"):
    router.route(
        "GET",
        _path,
        "webconsole.http:index",
        caller="public",
        summary="The web console's page",
        produces="text/html",
    )
router.route(
    "GET",
    "/config.json",
    "webconsole.http:config",
    caller="public",
    summary="Public config of the console (Firebase, URLs)",
)
router.route(
    "GET",
    "/assets/<path:name>",
    "webconsole.http:asset",
    caller="public",
    summary="Hashed build assets of the console (immutable)",
    produces="application/octet-stream",
)


def handle(request: flask.Request) -> flask.Response:
    return router.dispatch(request)
