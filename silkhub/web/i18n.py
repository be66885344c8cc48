"""Which language a request is answered in, and the message catalogs of the portal.

The language comes from the URL first (``/zh/...``, ``/en/...``), then ``?lang=``, then the
browser's ``Accept-Language``, then the configured default. The catalogs are Babel ``.po``
files under ``silkhub/translations``; they are compiled in memory when first used, so a
compiled ``.mo`` can never be stale against its source.
"""

from __future__ import annotations

from functools import cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from starlette.requests import Request

LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"
TRANSLATIONS_DIR = Path(__file__).resolve().parent.parent / "translations"

# Babel locale identifiers for number and date formatting.
LOCALES = {"zh": "zh_Hans_CN", "en": "en_GB"}


def language_from_path(path: str) -> str | None:
    first = path.lstrip("/").split("/", 1)[0]
    return first if first in LANGUAGES else None


def parse_accept_language(header: str) -> str | None:
    """The first supported language in an Accept-Language header, by quality."""
    choices: list[tuple[float, int, str]] = []
    for index, part in enumerate(header.split(",")):
        piece = part.strip()
        if not piece:
            continue
        tag, _, params = piece.partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGUAGES and quality > 0:
            choices.append((-quality, index, primary))
    return min(choices)[2] if choices else None


def request_language(request: Request) -> str:
    cached = getattr(request.state, "language", None)
    if isinstance(cached, str):
        return cached
    lang = (
        language_from_path(request.url.path)
        or _query_language(request)
        or parse_accept_language(request.headers.get("accept-language", ""))
        or _default_language(request)
    )
    request.state.language = lang
    return lang


def _query_language(request: Request) -> str | None:
    value = request.query_params.get("lang")
    return value if value in LANGUAGES else None


def _default_language(request: Request) -> str:
    settings = getattr(request.app.state, "settings", None)
    return getattr(settings, "default_language", DEFAULT_LANGUAGE)


@cache
def translations(lang: str) -> Translations:
    po = TRANSLATIONS_DIR / lang / "LC_MESSAGES" / "messages.po"
    if not po.exists():
        return Translations()
    with po.open("rb") as f:
        catalog = read_po(f, locale=lang)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


def gettext(lang: str, message: str) -> str:
    return translations(lang).gettext(message)
