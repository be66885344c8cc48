"""Countries: ISO 3166-1 codes, Chinese and English names, and the names people actually write.

Every ISO 3166-1 entry (pycountry's 249) is a ``Country``. The names follow two rules:

* Chinese: pycountry's zh_CN gettext catalog, overridden by ``data/country_names_zh.csv`` so
  that the canonical name is the short form a Chinese statistical release uses (韩国, not
  大韩民国; 中国台湾, 中国香港特别行政区, 中国澳门特别行政区; 刚果（布）/ 刚果（金）).
* English: pycountry's ``common_name`` where it has one (South Korea, Vietnam, Iran, Laos...),
  else the ISO short name (Czechia, Türkiye, North Macedonia), overridden by
  ``data/country_names_en.csv`` where the ISO form is inverted ("Congo, The Democratic Republic
  of the") or where PRC usage differs ("Taiwan, China", "Hong Kong SAR, China").

Resolution is a dictionary lookup on a normalised key (NFKC, casefold, collapsed spaces, no
surrounding punctuation, no leading "the "), then on a compact key (accents and every
non-alphanumeric character dropped, so "U.A.E" and "Cote d’Ivoire" match), so that resolving the
partner column of a million-row customs file costs a hash lookup per row. Fuzzy matching
(rapidfuzz) runs only to suggest names once a lookup has failed.
"""

from __future__ import annotations

import csv
import gettext
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib.resources import files

import pycountry
from rapidfuzz import fuzz, process

from silkhub.core.errors import UnknownCountry

__all__ = [
    "Country",
    "all_countries",
    "get",
    "normalize_name",
    "resolve",
    "suggest",
    "try_resolve",
]


@dataclass(frozen=True, slots=True)
class Country:
    alpha2: str
    alpha3: str
    numeric: str  # three digits, zero-padded: "004"
    name_zh: str
    name_en: str

    def name(self, lang: str) -> str:
        return self.name_en if lang == "en" else self.name_zh

    def __str__(self) -> str:
        return f"{self.alpha2} {self.name_zh} / {self.name_en}"


# Characters a name may be wrapped in that never distinguish one country from another.
_EDGE_PUNCTUATION = " \t.,;:!?'\"“”‘’、。，；：！？*-_·/"
_SPACES = re.compile(r"\s+")


def normalize_name(text: str) -> str:
    """The key a name is looked up by: NFKC, casefolded, collapsed, trimmed, without "the "."""
    s = unicodedata.normalize("NFKC", text).casefold()
    s = s.replace("’", "'").replace("‘", "'")
    s = _SPACES.sub(" ", s).strip(_EDGE_PUNCTUATION)
    if s.startswith("the "):
        s = s[4:].strip(_EDGE_PUNCTUATION)
    return s


def _compact(key: str) -> str:
    """A looser key: no accents, nothing but letters and digits (CJK characters count)."""
    decomposed = unicodedata.normalize("NFKD", key)
    return "".join(ch for ch in decomposed if ch.isalnum())


def _data_rows(name: str) -> Iterator[dict[str, str]]:
    text = files("silkhub.core").joinpath("data", name).read_text(encoding="utf-8")
    yield from csv.DictReader(text.splitlines())


@dataclass(frozen=True, slots=True)
class _Index:
    countries: tuple[Country, ...]  # sorted by alpha2
    by_code: dict[str, Country]  # upper-case alpha2, alpha3, and numeric
    by_key: dict[str, Country]  # normalize_name(name) -> country
    by_compact: dict[str, Country]  # _compact(key) -> country, ambiguous keys left out
    fuzzy_keys: list[str]  # keys worth suggesting from (codes left out)


@cache
def _index() -> _Index:
    catalog = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["zh_CN"])
    zh_override = {r["alpha2"]: r["name_zh"] for r in _data_rows("country_names_zh.csv")}
    en_override = {r["alpha2"]: r["name_en"] for r in _data_rows("country_names_en.csv")}

    countries: list[Country] = []
    names: list[tuple[str, Country]] = []
    for record in pycountry.countries:
        a2: str = record.alpha_2
        iso_names = [record.name]
        for attr in ("official_name", "common_name"):
            value = getattr(record, attr, None)
            if value:
                iso_names.append(value)
        default_en = getattr(record, "common_name", None) or record.name
        country = Country(
            alpha2=a2,
            alpha3=record.alpha_3,
            numeric=record.numeric,
            name_zh=zh_override.get(a2) or catalog.gettext(record.name),
            name_en=en_override.get(a2, default_en),
        )
        countries.append(country)
        for n in iso_names:
            names.append((n, country))
            translated = catalog.gettext(n)
            if translated != n:  # the catalog's own Chinese names stay resolvable as aliases
                names.append((translated, country))
        names.extend(
            (n, country) for n in (country.name_zh, country.name_en, country.alpha2, country.alpha3)
        )
        names.append((country.numeric, country))

    countries.sort(key=lambda c: c.alpha2)
    by_code: dict[str, Country] = {}
    for c in countries:
        by_code[c.alpha2] = by_code[c.alpha3] = by_code[c.numeric] = c

    names.extend(
        (row["alias"], by_code[row["alpha2"]]) for row in _data_rows("country_aliases.csv")
    )
    by_key = _build_key_index(names)
    by_compact = _build_compact_index(by_key.items())
    fuzzy_keys = [k for k in by_key if not (k.isascii() and len(k) <= 3)]
    return _Index(tuple(countries), by_code, by_key, by_compact, fuzzy_keys)


def _build_key_index(names: Iterable[tuple[str, Country]]) -> dict[str, Country]:
    by_key: dict[str, Country] = {}
    for name, country in names:
        key = normalize_name(name)
        if not key:
            continue
        seen = by_key.setdefault(key, country)
        if seen is not country:
            # Two countries claiming one name is a data error, never a silent first-wins.
            raise ValueError(
                f"country name {name!r} is claimed by {seen.alpha2} and {country.alpha2}"
            )
    return by_key


def _build_compact_index(items: Iterable[tuple[str, Country]]) -> dict[str, Country]:
    by_compact: dict[str, Country] = {}
    ambiguous: set[str] = set()
    for key, country in items:
        compact = _compact(key)
        if not compact:
            continue
        seen = by_compact.setdefault(compact, country)
        if seen is not country:
            ambiguous.add(compact)
    for compact in ambiguous:
        del by_compact[compact]
    return by_compact


@lru_cache(maxsize=65536)
def try_resolve(name: str) -> Country | None:
    """The country a name, alias or code designates, or None."""
    index = _index()
    key = normalize_name(name)
    if key.isdigit() and len(key) < 3:  # numeric codes lose their zeros in spreadsheets
        key = key.zfill(3)
    found = index.by_key.get(key)
    if found is None and key:
        found = index.by_compact.get(_compact(key))
    return found


def resolve(name: str) -> Country:
    """The country a written name designates; ``UnknownCountry`` with suggestions otherwise."""
    found = try_resolve(name)
    if found is None:
        raise UnknownCountry(name, suggest(name))
    return found


def _has_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def suggest(name: str, limit: int = 3) -> list[str]:
    """The canonical names closest to ``name``, in the script it was written in."""
    key = normalize_name(name)
    if not key or key.isdigit():
        return []
    index = _index()
    lang = "zh" if _has_cjk(key) else "en"
    candidates = process.extract(key, index.fuzzy_keys, scorer=fuzz.WRatio, limit=limit * 8)
    out: list[str] = []
    for candidate, _score, _pos in candidates:
        label = index.by_key[candidate].name(lang)
        if label not in out:
            out.append(label)
        if len(out) == limit:
            break
    return out


def get(code: str) -> Country:
    """The country with this alpha-2, alpha-3 or numeric code, in any case."""
    key = code.strip().upper()
    if key.isdigit() and len(key) < 3:
        key = key.zfill(3)
    found = _index().by_code.get(key)
    if found is None:
        raise UnknownCountry(code)
    return found


def all_countries() -> list[Country]:
    """Every ISO 3166-1 country, sorted by alpha-2 code."""
    return list(_index().countries)
