"""Which month a briefing is for, from what a person types."""

from __future__ import annotations

from silkhub.core.errors import InvalidInput, Location, Message
from silkhub.core.periods import Month, YearToDate, parse_period


def briefing_month(text: str) -> Month:
    """ "2020-05" or "2020年5月" (or "2020年1-5月", which means the same briefing)."""
    period = parse_period(text)
    if isinstance(period, Month):
        return period
    if isinstance(period, YearToDate):
        return Month(period.year, period.month)
    raise InvalidInput.single(
        "not_a_month",
        Message(
            f"简报按月编制：请给出月份，如 2020-05，而不是“{text}”。",
            f"A briefing is monthly: give a month such as 2020-05, not {text!r}.",
        ),
        location=Location(field="period"),
        value=text,
    )
