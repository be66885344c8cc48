"""Extract the portal's messages from the templates and update the Babel catalogs.

    python scripts/update_catalogs.py          # update silkhub/translations/*/messages.po
    python scripts/update_catalogs.py --check  # exit 1 if a catalog lacks a message

Message ids are English. The English catalog stays empty (ids are shown as they are); the
Chinese one must translate every id: ``tests/test_code_quality.py`` checks it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "silkhub"
TRANSLATIONS = PACKAGE / "translations"
LANGUAGES = ("zh", "en")
METHOD_MAP = [("**/templates/**.html", "jinja2")]
OPTIONS = {"**/templates/**.html": {"extensions": "jinja2.ext.i18n"}}


def extract() -> Catalog:
    template = Catalog(project="silkhub")
    for filename, lineno, message, comments, context in extract_from_dir(
        str(PACKAGE), METHOD_MAP, OPTIONS
    ):
        template.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return template


def po_path(lang: str) -> Path:
    return TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po"


def load(lang: str) -> Catalog:
    path = po_path(lang)
    if not path.exists():
        return Catalog(locale=lang, project="silkhub")
    with path.open("rb") as f:
        return read_po(f, locale=lang)


def missing(template: Catalog, lang: str) -> list[str]:
    catalog = load(lang)
    out = []
    for message in template:
        if not message.id:
            continue
        have = catalog.get(message.id)
        if have is None or (lang == "zh" and not have.string):
            out.append(str(message.id))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    template = extract()
    if args.check:
        gaps = {lang: missing(template, lang) for lang in LANGUAGES}
        for lang, ids in gaps.items():
            for mid in ids:
                print(f"{lang}: missing {mid!r}")
        return 1 if any(gaps.values()) else 0
    for lang in LANGUAGES:
        catalog = load(lang)
        catalog.update(template, no_fuzzy_matching=True)
        path = po_path(lang)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as f:
            write_po(
                f,
                catalog,
                width=100,
                omit_header=False,
                ignore_obsolete=True,
                include_previous=False,
                sort_output=True,
            )
        print(f"{path.relative_to(ROOT)}: {len(catalog)} messages")
    return 0


if __name__ == "__main__":
    sys.exit(main())
