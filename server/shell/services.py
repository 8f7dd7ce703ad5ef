"""The member app shell: which files the service worker precaches, its version, the catalogues."""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from typing import Any

from server.i18n import LANGUAGES, LOCALES_DIR, translations
from server.settings import PWA_DIR
from server.web.i18n_extract import extract_js

STATIC_DIR = PWA_DIR / "static"
TEMPLATES_DIR = PWA_DIR / "templates"

# Routes the shell needs besides the static files; the service worker precaches them too.
SHELL_ROUTES = ("/app", "/manifest.webmanifest", *(f"/app/i18n/{lang}.json" for lang in LANGUAGES))
# Static files of the shell: the app's own code, styles and icons (htmx is for server pages).
_SHELL_GLOBS = ("app.css", "app/**/*.js", "icons/*.png", "icons/*.svg")


@lru_cache(maxsize=1)
def shell_static_files() -> tuple[str, ...]:
    """URLs of the static files in the app shell, sorted."""
    found = {path for pattern in _SHELL_GLOBS for path in STATIC_DIR.glob(pattern)}
    return tuple(sorted(f"/static/{p.relative_to(STATIC_DIR).as_posix()}" for p in found))


def precache_list() -> list[str]:
    """Everything the service worker stores on install."""
    return [*SHELL_ROUTES, *shell_static_files()]


@lru_cache(maxsize=1)
def shell_version() -> str:
    """A hash of every file the shell is made of: a new version means a new cache."""
    digest = hashlib.sha256()
    sources = [STATIC_DIR / url.removeprefix("/static/") for url in shell_static_files()]
    sources += [TEMPLATES_DIR / "app.html", STATIC_DIR / "sw.js"]
    sources += sorted(LOCALES_DIR.glob("*/LC_MESSAGES/messages.po"))
    for path in sources:
        digest.update(path.as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


@lru_cache(maxsize=len(LANGUAGES))
def catalogue(language: str) -> dict[str, Any]:
    """The language's messages as JSON for the device (built from the same .po files).

    Only what the app's scripts translate: the catalogues also hold every screen of the
    coordinators and trainers, which a member's phone never shows but would download and keep.
    """
    catalog = translations(language)
    wanted = app_messages()
    messages = {
        str(key): value
        for key, value in catalog._catalog.items()  # Babel exposes no public view of it
        if isinstance(key, str) and key in wanted
    }
    return {"language": language, "messages": messages}


@lru_cache(maxsize=1)
def app_messages() -> frozenset[str]:
    """Every message the app's scripts pass to `t()`, found as `pybabel extract` finds them."""
    found: set[str] = set()
    for path in sorted((STATIC_DIR / "app").rglob("*.js")):
        with path.open("rb") as source:
            found.update(message for _, _, message, _ in extract_js(source, (), (), {}))
    return frozenset(found)


@lru_cache(maxsize=1)
def service_worker_source() -> str:
    """sw.js with its version and precache list written in."""
    header = (
        f"const VERSION = {json.dumps(shell_version())};\n"
        f"const PRECACHE = {json.dumps(precache_list())};\n"
    )
    return header + (STATIC_DIR / "sw.js").read_text(encoding="utf-8")


def manifest() -> dict[str, Any]:
    """The web app manifest: Vietnamese name, icons (maskable too), standalone."""
    return {
        "name": "Làng Số – Tổ công nghệ số cộng đồng",
        "short_name": "Làng Số",
        "description": "Ghi nhận hộ gia đình, danh sách việc hỗ trợ và bài học, "
        "dùng được khi không có sóng.",
        "lang": "vi",
        "start_url": "/app",
        "scope": "/",
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#fbfaf7",
        "theme_color": "#0b6e4f",
        "icons": [
            {"src": "/static/icons/icon-192.png", "sizes": "192x192", "type": "image/png"},
            {"src": "/static/icons/icon-512.png", "sizes": "512x512", "type": "image/png"},
            {
                "src": "/static/icons/maskable-512.png",
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
    }
