"""Matching: the SQL cut-down of candidates never loses a subscription that the exact test
would match (checked against a plain scan of every subscription, on random data)."""

from __future__ import annotations

import random
from datetime import date

from sqlalchemy import select

from silkhub.accounts.models import User
from silkhub.alerts import deliveries
from silkhub.alerts.matching import ItemFacets, SubscriptionRow, matches, matching_users
from silkhub.alerts.models import AlertItem, Subscription
from silkhub.stores.database import Database

COUNTRIES = ["KZ", "DE", "VN", "AE", "PK", "TH", "RU", "PL"]
CATEGORIES = ["economic", "legal", "public_health", "security"]
SEVERITIES = [None, "blue", "yellow", "orange", "red"]
DAY = date(2020, 5, 6)


def _codes(rng: random.Random, pool: list[str], empty: float = 0.5) -> str:
    return "" if rng.random() < empty else " ".join(rng.sample(pool, rng.randint(1, 3)))


def test_candidates_plus_the_exact_test_equal_a_plain_scan(store: Database) -> None:
    rng = random.Random(5)
    with store.transaction() as s:
        users = []
        for n in range(300):
            user = User(email=f"u{n}@example.org", display_name=f"u{n}")
            s.add(user)
            users.append(user)
        s.flush()
        for user in users:
            s.add(
                Subscription(
                    user_id=user.id,
                    kinds=_codes(rng, ["alert", "tbt", "news"], 0.6),
                    countries=_codes(rng, COUNTRIES),
                    groups=rng.choice(["", "", "", "asean", "eu", "central_asia"]),
                    categories=_codes(rng, CATEGORIES),
                    min_severity=rng.choice(SEVERITIES),
                    hs_prefixes=rng.choice(["", "", "", "85", "8504", "0805 95"]),
                )
            )
    with store.reading() as s:
        every = [
            SubscriptionRow(*row)
            for row in s.execute(
                select(
                    Subscription.user_id,
                    Subscription.kinds,
                    Subscription.countries,
                    Subscription.groups,
                    Subscription.categories,
                    Subscription.min_severity,
                    Subscription.hs_prefixes,
                )
            )
        ]
        checked = 0
        for n in range(120):
            item = AlertItem(
                uid=f"X{n}",
                kind=rng.choice(["alert", "tbt", "news"]),
                countries=" ".join(rng.sample(COUNTRIES, rng.randint(1, 3))),
                category=rng.choice([None, *CATEGORIES]),
                severity=rng.choice(SEVERITIES),
                hs_codes=rng.choice(["", "850440", "080510 950300", "610910"]),
            )
            facets = deliveries.facets_of(item)
            plain = matching_users(every, facets, DAY)
            cut = matching_users(deliveries.candidate_rows(s, item), facets, DAY)
            assert cut == plain, item.__dict__
            checked += len(plain)
    assert checked > 1000  # the random items did match plenty of people


def test_exact_rules() -> None:
    item = ItemFacets("alert", frozenset({"KZ"}), "economic", "orange", ())
    row = SubscriptionRow(1, "", "", "central_asia", "", "red", "")
    members = lambda code: frozenset({"KZ", "UZ"}) if code == "central_asia" else frozenset()  # noqa: E731
    assert not matches(row, item, members)  # orange is below red
    assert matches(SubscriptionRow(1, "", "", "central_asia", "", "yellow", ""), item, members)
    assert not matches(SubscriptionRow(1, "tbt", "", "", "", None, ""), item, members)
    assert not matches(SubscriptionRow(1, "", "", "", "", None, "85"), item, members)  # no HS codes
