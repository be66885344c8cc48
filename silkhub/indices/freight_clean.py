"""Cleaning the panel's quotes for one route and container type in one week, step by step, with
a record of what each step did (the release keeps it, the methodology page explains it).

The steps, in order, each configurable (``Cleaning``):

1. **Duplicates**: a member's latest quote counts; earlier ones for the same cell and week are
   dropped (``superseded``).
2. **Outliers**: a quote is dropped when it lies further from the median than ``mad_k`` scaled
   median absolute deviations (1.4826·MAD estimates the standard deviation of normal data; when
   over half the quotes agree exactly and MAD is 0, 1.2533 times the mean absolute deviation
   from the median stands in for it), or,
   with ``outliers = "grubbs"``, by the two-sided Grubbs test at ``grubbs_alpha``, repeated until
   nothing more is found. Needs at least ``min_for_outliers`` quotes; with fewer nothing is
   tested (a test on three numbers says nothing).
3. **Trimming**: the lowest and highest ``floor(n · trim)`` quotes are set aside.
4. **Member cap**: each member's weight (1 unless the panel says otherwise) is capped at
   ``member_cap`` of the total, the excess shared among the others in proportion, repeated until
   no one is above the cap (when the cap can be met at all: with n members it needs cap ≥ 1/n).
5. **Minimum**: with fewer than ``min_members`` members left, the cell has no average of its own
   this week; the caller carries the previous week's forward and flags it.

The average is the weighted mean of what is left.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from statistics import median
from typing import Literal

from scipy.stats import t as student_t

__all__ = ["CellOutcome", "Cleaning", "Quote", "Removed", "clean_cell", "grubbs_critical"]


@dataclass(frozen=True)
class Quote:
    member: str
    amount: float
    submitted_at: datetime
    #: The quote's own identity (the database id), so a release can say which quotes it used.
    ref: int | str | None = None


@dataclass(frozen=True)
class Cleaning:
    outliers: Literal["mad", "grubbs", "none"] = "mad"
    mad_k: float = 3.5
    grubbs_alpha: float = 0.05
    min_for_outliers: int = 5
    trim: float = 0.1
    member_cap: float = 0.3
    min_members: int = 3

    def __post_init__(self) -> None:
        if self.outliers not in ("mad", "grubbs", "none"):
            raise ValueError(f"outliers must be mad, grubbs or none, not {self.outliers!r}")
        if not 0 <= self.trim < 0.5:
            raise ValueError("trim must be at least 0 and below 0.5")
        if not 0 < self.member_cap <= 1:
            raise ValueError("member_cap must be above 0 and at most 1")
        if self.min_members < 1 or self.min_for_outliers < 3:
            raise ValueError("min_members must be at least 1 and min_for_outliers at least 3")


@dataclass(frozen=True)
class Removed:
    quote: Quote
    #: "superseded", "outlier" or "trimmed".
    reason: str


@dataclass(frozen=True)
class CellOutcome:
    #: The weighted mean of the quotes kept; None below the minimum number of members.
    average: float | None
    kept: tuple[Quote, ...]
    removed: tuple[Removed, ...]
    #: The weight each kept member had after the cap, by member.
    weights: Mapping[str, float] = field(default_factory=dict)

    @property
    def members(self) -> int:
        return len({q.member for q in self.kept})


def _latest_per_member(quotes: Sequence[Quote]) -> tuple[list[Quote], list[Removed]]:
    latest: dict[str, Quote] = {}
    for q in quotes:
        held = latest.get(q.member)
        if held is None or (q.submitted_at, str(q.ref)) > (held.submitted_at, str(held.ref)):
            latest[q.member] = q
    kept = sorted(latest.values(), key=lambda q: q.member)
    chosen = {id(q) for q in kept}
    return kept, [Removed(q, "superseded") for q in quotes if id(q) not in chosen]


def grubbs_critical(n: int, alpha: float) -> float:
    """The two-sided Grubbs critical value G for ``n`` observations at level ``alpha``."""
    t = float(student_t.ppf(1 - alpha / (2 * n), n - 2))
    return (n - 1) / math.sqrt(n) * math.sqrt(t * t / (n - 2 + t * t))


def _outliers(kept: list[Quote], cleaning: Cleaning) -> tuple[list[Quote], list[Removed]]:
    if cleaning.outliers == "none" or len(kept) < cleaning.min_for_outliers:
        return kept, []
    if cleaning.outliers == "mad":
        amounts = [q.amount for q in kept]
        centre = median(amounts)
        deviations = [abs(a - centre) for a in amounts]
        spread = 1.4826 * median(deviations)
        if spread == 0:
            # Over half the quotes agree exactly: the usual fallback is the mean absolute
            # deviation from the median, scaled (x 1.2533) to estimate a standard deviation.
            spread = 1.2533 * sum(deviations) / len(deviations)
        far = [q for q in kept if abs(q.amount - centre) > cleaning.mad_k * spread]
        out = {id(q) for q in far}
        return [q for q in kept if id(q) not in out], [Removed(q, "outlier") for q in far]
    removed: list[Removed] = []
    while len(kept) >= cleaning.min_for_outliers:
        amounts = [q.amount for q in kept]
        mean = sum(amounts) / len(amounts)
        sd = math.sqrt(sum((a - mean) ** 2 for a in amounts) / (len(amounts) - 1))
        if sd == 0:
            break
        worst = max(kept, key=lambda q: abs(q.amount - mean))
        if abs(worst.amount - mean) / sd <= grubbs_critical(len(kept), cleaning.grubbs_alpha):
            break
        kept = [q for q in kept if q is not worst]
        removed.append(Removed(worst, "outlier"))
    return kept, removed


def _trimmed(kept: list[Quote], trim: float) -> tuple[list[Quote], list[Removed]]:
    cut = math.floor(len(kept) * trim)
    if cut == 0:
        return kept, []
    ordered = sorted(kept, key=lambda q: (q.amount, q.member))
    return ordered[cut:-cut], [Removed(q, "trimmed") for q in ordered[:cut] + ordered[-cut:]]


def capped_weights(weights: Mapping[str, float], cap: float) -> dict[str, float]:
    """Weights normalised to sum 1 with no one above ``cap``, the excess shared among the
    others in proportion to their weights; unchanged (normalised) if the cap cannot be met."""
    total = sum(weights.values())
    shares = {m: w / total for m, w in weights.items()}
    if cap * len(shares) < 1:
        return shares
    fixed: dict[str, float] = {}
    while True:
        free = {m: s for m, s in shares.items() if m not in fixed}
        room = 1 - sum(fixed.values())
        free_total = sum(free.values())
        scaled = {m: s / free_total * room for m, s in free.items()}
        over = {m for m, s in scaled.items() if s > cap + 1e-12}
        if not over:
            return {**fixed, **scaled}
        for m in over:
            fixed[m] = cap


def clean_cell(
    quotes: Sequence[Quote],
    cleaning: Cleaning,
    member_weights: Mapping[str, float] | None = None,
) -> CellOutcome:
    """The cell's average for the week and what each step kept or removed."""
    kept, removed = _latest_per_member(quotes)
    kept, dropped = _outliers(kept, cleaning)
    removed += dropped
    kept, dropped = _trimmed(kept, cleaning.trim)
    removed += dropped
    if len(kept) < cleaning.min_members:
        return CellOutcome(None, tuple(kept), tuple(removed))
    weights = capped_weights(
        {q.member: (member_weights or {}).get(q.member, 1.0) for q in kept}, cleaning.member_cap
    )
    average = sum(weights[q.member] * q.amount for q in kept)
    return CellOutcome(average, tuple(kept), tuple(removed), weights)
