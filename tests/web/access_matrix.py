"""Who may call which route: the policy the access-matrix test holds the application to.

Every route the application serves must be listed here; a new route without an entry fails
the test, so whoever adds a route states who may call it. Each capability adds its routes.

A value is ``PUBLIC`` (anyone, signed in or not), ``SIGNED_IN`` (any signed-in person or
token), or the set of roles admitted (an admin is admitted everywhere).
"""

from __future__ import annotations

from silkhub.accounts.models import Role

PUBLIC = "public"
SIGNED_IN = "signed_in"

Access = str | frozenset[Role]

ADMIN_ONLY: Access = frozenset({Role.ADMIN})
LOGISTICS_SUBSCRIBERS: Access = frozenset(
    {Role.SUBSCRIBER, Role.API_CLIENT, Role.LOGISTICS_OPERATOR}
)

ACCESS: dict[tuple[str, str], Access] = {
    # system and API documentation
    ("GET", "/api/health"): PUBLIC,
    ("GET", "/api/openapi.json"): PUBLIC,
    ("GET", "/api/docs"): PUBLIC,
    ("GET", "/api/docs/oauth2-redirect"): PUBLIC,
    # vocabulary
    ("GET", "/api/countries"): PUBLIC,
    ("GET", "/api/countries/resolve"): PUBLIC,
    ("GET", "/api/countries/{code}"): PUBLIC,
    ("GET", "/api/groups"): PUBLIC,
    ("GET", "/api/groups/{code}"): PUBLIC,
    ("GET", "/api/periods/{text}"): PUBLIC,
    ("GET", "/api/units/convert"): PUBLIC,
    # accounts
    ("GET", "/api/accounts/me"): SIGNED_IN,
    ("GET", "/api/accounts/users"): ADMIN_ONLY,
    ("POST", "/api/accounts/users"): ADMIN_ONLY,
    ("GET", "/api/accounts/organisations"): ADMIN_ONLY,
    ("POST", "/api/accounts/organisations"): ADMIN_ONLY,
    ("GET", "/api/accounts/tokens"): SIGNED_IN,
    ("POST", "/api/accounts/tokens"): SIGNED_IN,
    ("DELETE", "/api/accounts/tokens/{token_id}"): SIGNED_IN,
    ("GET", "/api/accounts/audit"): ADMIN_ONLY,
    # statistics
    ("GET", "/api/stats/datasets"): PUBLIC,
    ("GET", "/api/stats/datasets/{name}"): PUBLIC,
    ("GET", "/api/stats/datasets/{name}/download"): PUBLIC,
    ("GET", "/api/stats/imports"): frozenset({Role.ANALYST}),
    ("GET", "/api/stats/imports/{import_id}"): frozenset({Role.ANALYST}),
    ("POST", "/api/stats/imports"): frozenset({Role.ANALYST}),
    ("GET", "/api/stats/measure"): PUBLIC,
    ("GET", "/api/stats/top"): PUBLIC,
    ("GET", "/api/stats/series"): PUBLIC,
    ("GET", "/api/stats/projects"): PUBLIC,
    ("GET", "/api/stats/projects/{code}/progress"): PUBLIC,
    ("GET", "/api/stats/footprint"): PUBLIC,
    ("GET", "/api/stats/briefing"): PUBLIC,
    ("GET", "/api/stats/footprint/overview"): PUBLIC,
    # indices: public reads see released weeks only (the embargo is tested in tests/indices)
    ("GET", "/api/indices"): PUBLIC,
    ("GET", "/api/indices/freight/methodology"): PUBLIC,
    ("GET", "/api/indices/freight/releases"): PUBLIC,
    ("GET", "/api/indices/freight/latest"): PUBLIC,
    ("GET", "/api/indices/freight/series"): PUBLIC,
    ("GET", "/api/indices/freight/feed.atom"): PUBLIC,
    ("POST", "/api/indices/freight/quotes"): frozenset({Role.PANELIST}),
    ("POST", "/api/indices/freight/quotes/upload"): frozenset({Role.PANELIST}),
    ("GET", "/api/indices/freight/quotes"): frozenset({Role.PANELIST, Role.INDEX_COMPILER}),
    ("DELETE", "/api/indices/freight/quotes/{quote_id}"): frozenset({Role.PANELIST}),
    ("GET", "/api/indices/freight/weeks/{week}/preview"): frozenset({Role.INDEX_COMPILER}),
    ("POST", "/api/indices/freight/weeks/{week}/approve"): frozenset({Role.INDEX_COMPILER}),
    ("POST", "/api/indices/freight/weeks/{week}/corrections"): frozenset({Role.INDEX_COMPILER}),
    ("POST", "/api/indices/freight/weeks/{week}/restate"): frozenset({Role.INDEX_COMPILER}),
    ("GET", "/api/indices/freight/recompute"): frozenset({Role.INDEX_COMPILER}),
    ("GET", "/api/indices/trade"): PUBLIC,
    # logistics: tracking is public, as on carriers' sites (whoever holds the number may follow
    # it); DCSA events are posted by operators' tokens and read by any signed-in consumer
    ("GET", "/api/logistics/places"): PUBLIC,
    ("GET", "/api/logistics/equipment"): PUBLIC,
    ("GET", "/api/logistics/track/{kind}/{reference}"): PUBLIC,
    ("GET", "/api/logistics/transports"): PUBLIC,
    ("GET", "/api/logistics/transports/{mode}/{reference}"): PUBLIC,
    ("POST", "/dcsa/tnt/v3/events"): frozenset({Role.LOGISTICS_OPERATOR}),
    ("GET", "/dcsa/tnt/v3/events"): SIGNED_IN,
    ("POST", "/api/logistics/subscriptions"): LOGISTICS_SUBSCRIBERS,
    ("GET", "/api/logistics/subscriptions"): LOGISTICS_SUBSCRIBERS,
    ("POST", "/api/logistics/subscriptions/{subscription_id}/secret"): LOGISTICS_SUBSCRIBERS,
    ("DELETE", "/api/logistics/subscriptions/{subscription_id}"): LOGISTICS_SUBSCRIBERS,
    ("GET", "/{lang}/track"): PUBLIC,
    ("GET", "/{lang}/logistics/transports"): PUBLIC,
    ("GET", "/{lang}/logistics/transports/{mode}/{reference}"): PUBLIC,
    # portal
    ("GET", "/"): PUBLIC,
    ("GET", "/{lang}/"): PUBLIC,
    ("GET", "/{lang}"): PUBLIC,
    ("GET", "/{lang}/login"): PUBLIC,
    ("GET", "/{lang}/stats"): PUBLIC,
    ("GET", "/{lang}/stats/measures.csv"): PUBLIC,
    ("GET", "/{lang}/stats/briefing"): PUBLIC,
    ("GET", "/{lang}/stats/upload"): frozenset({Role.ANALYST}),
    ("POST", "/{lang}/stats/upload"): frozenset({Role.ANALYST}),
    ("GET", "/{lang}/stats/upload/reports/{report_id}.csv"): frozenset({Role.ANALYST}),
    # indices: the public pages show released weeks only (the embargo is tested in
    # tests/indices/test_pages.py); the submission page and the console by role
    ("GET", "/{lang}/indices"): PUBLIC,
    ("GET", "/{lang}/indices/methodology"): PUBLIC,
    ("GET", "/{lang}/indices/submit"): frozenset({Role.PANELIST}),
    ("POST", "/{lang}/indices/submit"): frozenset({Role.PANELIST}),
    ("POST", "/{lang}/indices/submit/upload"): frozenset({Role.PANELIST}),
    ("POST", "/{lang}/indices/submit/quotes/{quote_id}/withdraw"): frozenset({Role.PANELIST}),
    ("GET", "/{lang}/indices/console"): frozenset({Role.INDEX_COMPILER}),
    ("POST", "/{lang}/indices/console/approve"): frozenset({Role.INDEX_COMPILER}),
    ("POST", "/{lang}/indices/console/corrections"): frozenset({Role.INDEX_COMPILER}),
    ("POST", "/{lang}/indices/console/restate"): frozenset({Role.INDEX_COMPILER}),
    ("POST", "/{lang}/login"): PUBLIC,
    ("POST", "/{lang}/logout"): PUBLIC,
    ("GET", "/{lang}/account"): SIGNED_IN,
    ("POST", "/{lang}/account/tokens"): SIGNED_IN,
    ("POST", "/{lang}/account/tokens/{token_id}/revoke"): SIGNED_IN,
}

#: Values for path parameters when a route is called.
PATH_SAMPLES: dict[str, str] = {
    "lang": "zh",
    "token_id": "1",
    "code": "CZ",
    "text": "2020-05",
    "name": "trade",
    "import_id": "1",
    "report_id": "AAAAAAAAAAAAAAAAAAAAAAAA",
    "quote_id": "1",
    "week": "2018-W05",
    "kind": "equipment",
    "reference": "APZU4812090",
    "mode": "RAIL",
    "subscription_id": "1",
}

#: Form or query values a route needs to be called meaningfully.
FORM_SAMPLES: dict[tuple[str, str], dict[str, str]] = {
    ("POST", "/{lang}/login"): {"email": "admin@example.org", "password": "correct horse battery"},
    ("POST", "/{lang}/stats/upload"): {"dataset": "trade"},
    ("POST", "/{lang}/indices/submit"): {"q-EUR-20GP": "1000"},
    ("POST", "/{lang}/indices/console/approve"): {"week": "2018-W05"},
    ("POST", "/{lang}/indices/console/corrections"): {
        "week": "2018-W05",
        "member": "TEST",
        "route": "EUR",
        "container": "20GP",
        "amount": "1000",
    },
    ("POST", "/{lang}/indices/console/restate"): {"week": "2018-W05", "reason": "test"},
}
QUERY_SAMPLES: dict[tuple[str, str], dict[str, str]] = {
    ("GET", "/api/indices/trade"): {"base": "2018"},
    ("GET", "/dcsa/tnt/v3/events"): {"equipmentReference": "APZU4812090"},
    ("GET", "/{lang}/track"): {"ref": "APZU4812090"},
    ("GET", "/api/countries/resolve"): {"name": "捷克"},
    ("GET", "/api/units/convert"): {"value": "3909", "from": "亿元", "to": "万元"},
    ("GET", "/api/stats/measure"): {"dataset": "trade", "value": "value_cny", "period": "2020-05"},
    ("GET", "/api/stats/top"): {
        "dataset": "trade",
        "value": "value_cny",
        "period": "2020-05",
        "by": "partner",
    },
    ("GET", "/api/stats/series"): {"dataset": "trade", "value": "value_cny", "period": "2020"},
    ("GET", "/api/stats/briefing"): {"period": "2020-05"},
    ("GET", "/{lang}/stats/measures.csv"): {"table": "series", "dataset": "trade"},
    ("GET", "/{lang}/stats/briefing"): {"period": "2020-05"},
    ("GET", "/{lang}/indices"): {"route": "EUR"},
    ("GET", "/{lang}/indices/console"): {"week": "2018-W05"},
}
