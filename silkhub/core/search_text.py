"""Text matching for the portal's search, in both languages.

Chinese has no spaces between words, so a Chinese query is matched as a substring: every
character sequence of the text is a candidate, which is what n-gram indexing does, without
an index (the portal searches thousands of short titles and names, not a library). A Chinese
name is also keyed by its pinyin, whole (``hasakesitan``), syllable by syllable
(``ha sa ke si tan``) and by initials (``hskst``), so a query in pinyin finds it; English names
are keyed as they are, so ``Kazakhstan`` finds 哈萨克斯坦 too.

``SearchHit`` is what every part of the portal that takes part in search gives back
(``<capability>.search.search``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache

from pypinyin import Style, lazy_pinyin

from silkhub.core.errors import Message

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class SearchHit:
    kind: str  # "alert", "bulletin", "country", "project", "footprint", "page", ...
    title: Message
    url: str  # a portal path without the language ("alerts/SH-ALERT-2020-00001"), or "/api/..."
    score: float
    summary: Message = field(default_factory=lambda: Message("", ""))
    when: datetime | None = None


def fold(text: str) -> str:
    """Lower case, full-width forms folded to ASCII, spaces squeezed."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", text).lower()).strip()


@lru_cache(maxsize=20_000)
def _pinyin(run: str) -> tuple[str, str, str]:
    syllables = lazy_pinyin(run, errors="ignore")
    initials = lazy_pinyin(run, style=Style.FIRST_LETTER, errors="ignore")
    return "".join(syllables), " ".join(syllables), "".join(initials)


def search_key(*texts: str | None) -> str:
    """Everything a query may match: the texts folded, and the pinyin of their Chinese."""
    parts: list[str] = []
    for text in texts:
        if not text:
            continue
        parts.append(fold(text))
        for run in _CJK.findall(text):
            parts.extend(_pinyin(run))
    return " | ".join(parts)


def query_terms(query: str) -> list[str]:
    """The query's terms: words; a Chinese run stays one term (matched as a substring)."""
    return [t for t in fold(query).split(" ") if t]


def score(key: str, terms: list[str]) -> float:
    """0 unless every term occurs in ``key``; more for longer terms and for a term that starts
    a word (a name that begins with the query ranks above one that only contains it)."""
    if not terms:
        return 0.0
    total = 0.0
    for term in terms:
        at = key.find(term)
        if at < 0:
            return 0.0
        total += len(term)
        if at == 0 or key[at - 1] in " |":
            total += 2 * len(term)
    return total
