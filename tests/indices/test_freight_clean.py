"""Cleaning one cell's quotes: superseded quotes, outliers (MAD and Grubbs, with the NIST
example), trimming, the member cap and the minimum number of members."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from silkhub.indices.freight_clean import (
    Cleaning,
    Quote,
    capped_weights,
    clean_cell,
    grubbs_critical,
)

T0 = datetime(2020, 1, 6, 9, tzinfo=UTC)


def quotes(*amounts: float) -> list[Quote]:
    return [Quote(f"m{i:02d}", a, T0, i) for i, a in enumerate(amounts)]


NO_TRIM = Cleaning(trim=0.0, member_cap=1.0)


def test_a_members_latest_quote_counts() -> None:
    early = Quote("a", 900.0, T0, 1)
    late = Quote("a", 1000.0, T0 + timedelta(hours=1), 2)
    outcome = clean_cell(
        [late, early, Quote("b", 1000, T0, 3), Quote("c", 1000, T0, 4)],
        NO_TRIM,
    )
    assert [r.quote for r in outcome.removed] == [early]
    assert outcome.removed[0].reason == "superseded"
    assert outcome.average == pytest.approx(1000.0)
    assert outcome.members == 3


def test_mad_removes_a_far_quote_and_keeps_the_rest() -> None:
    outcome = clean_cell(quotes(1000, 1010, 990, 1020, 980, 1005, 2500), NO_TRIM)
    assert [(r.quote.amount, r.reason) for r in outcome.removed] == [(2500, "outlier")]
    assert outcome.average == pytest.approx((1000 + 1010 + 990 + 1020 + 980 + 1005) / 6)


def test_no_outlier_test_on_too_few_quotes() -> None:
    outcome = clean_cell(quotes(1000, 1010, 5000), NO_TRIM)
    assert outcome.removed == ()
    assert outcome.average == pytest.approx(7010 / 3)


def test_mad_of_zero_falls_back_to_the_mean_absolute_deviation() -> None:
    # Four agree: 900 is 100 away, beyond 3.5 x 1.2533 x 20. Three agree: 100 is within
    # 3.5 x 1.2533 x 40, and two of five quotes are not outliers.
    assert [
        r.quote.amount for r in clean_cell(quotes(800, 800, 800, 800, 900), NO_TRIM).removed
    ] == [900]
    assert clean_cell(quotes(800, 800, 800, 900, 900), NO_TRIM).removed == ()


def test_grubbs_critical_values_agree_with_published_tables() -> None:
    # Two-sided, alpha 0.05 (NIST/SEMATECH e-Handbook, 1.3.5.17).
    assert grubbs_critical(8, 0.05) == pytest.approx(2.1266, abs=1e-4)
    assert grubbs_critical(10, 0.05) == pytest.approx(2.2900, abs=1e-4)
    assert grubbs_critical(20, 0.05) == pytest.approx(2.7082, abs=1e-4)


def test_grubbs_finds_the_nist_example_outlier() -> None:
    # The e-Handbook's example: G = 2.4687 > 2.1266, so 245.57 is an outlier; then no more.
    data = (199.31, 199.53, 200.19, 200.82, 201.92, 201.95, 202.18, 245.57)
    outcome = clean_cell(quotes(*data), Cleaning(outliers="grubbs", trim=0.0, member_cap=1.0))
    assert [r.quote.amount for r in outcome.removed] == [245.57]
    assert outcome.members == 7


def test_trimming_sets_aside_both_ends() -> None:
    outcome = clean_cell(
        quotes(*range(1000, 1010)), Cleaning(outliers="none", trim=0.1, member_cap=1.0)
    )
    assert sorted(r.quote.amount for r in outcome.removed) == [1000, 1009]
    assert {r.reason for r in outcome.removed} == {"trimmed"}
    assert outcome.average == pytest.approx(sum(range(1001, 1009)) / 8)


def test_the_member_cap_shares_the_excess() -> None:
    capped = capped_weights({"a": 10, "b": 1, "c": 1, "d": 1}, 0.3)
    assert capped["a"] == pytest.approx(0.3)
    assert capped["b"] == capped["c"] == capped["d"] == pytest.approx(0.7 / 3)
    assert sum(capped.values()) == pytest.approx(1.0)
    # Two members above the cap, in turn.
    capped = capped_weights({"a": 5, "b": 4, "c": 1, "d": 1, "e": 1}, 0.25)
    assert capped["a"] == capped["b"] == pytest.approx(0.25)
    assert capped["c"] == pytest.approx(0.5 / 3)
    # A cap no split can meet (two members, 30 %) leaves the shares as they are.
    assert capped_weights({"a": 3, "b": 1}, 0.3) == pytest.approx({"a": 0.75, "b": 0.25})


def test_weighted_average_under_the_cap() -> None:
    cleaning = Cleaning(outliers="none", trim=0.0, member_cap=0.5)
    outcome = clean_cell(quotes(1000, 2000, 2000), cleaning, {"m00": 8.0})
    # m00's 80 % is capped to 50 %; the other two share the rest equally.
    assert outcome.weights["m00"] == pytest.approx(0.5)
    assert outcome.average == pytest.approx(0.5 * 1000 + 0.25 * 2000 + 0.25 * 2000)


def test_below_the_minimum_there_is_no_average() -> None:
    outcome = clean_cell(quotes(1000, 1100), Cleaning(min_members=3))
    assert outcome.average is None
    assert outcome.members == 2


@pytest.mark.parametrize(
    "bad",
    [{"outliers": "zscore"}, {"trim": 0.5}, {"member_cap": 0}, {"min_members": 0}],
)
def test_impossible_settings_are_refused(bad: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="must be"):
        Cleaning(**bad)  # type: ignore[arg-type]
