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
ALERTS_STAFF: Access = frozenset({Role.EDITOR, Role.APPROVER})
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
    # alerts: reads answer by confidentiality (tested route by route, reader by reader, in
    # tests/alerts/test_api.py); writing is the editors', approving and cancelling the
    # approvers' (the service decides; the route admits both where either may)
    ("GET", "/api/alerts/items"): PUBLIC,
    ("POST", "/api/alerts/items"): frozenset({Role.EDITOR}),
    ("GET", "/api/alerts/items/{uid}"): PUBLIC,
    ("PUT", "/api/alerts/items/{uid}"): frozenset({Role.EDITOR}),
    ("GET", "/api/alerts/items/{uid}/versions"): PUBLIC,
    ("POST", "/api/alerts/items/{uid}/submit"): frozenset({Role.EDITOR}),
    ("POST", "/api/alerts/items/{uid}/approve"): frozenset({Role.APPROVER}),
    ("POST", "/api/alerts/items/{uid}/reject"): frozenset({Role.APPROVER}),
    ("POST", "/api/alerts/items/{uid}/publish"): ALERTS_STAFF,
    ("POST", "/api/alerts/items/{uid}/cancel"): frozenset({Role.APPROVER}),
    ("GET", "/api/alerts/items/{uid}/cap.xml"): PUBLIC,
    ("GET", "/api/alerts/items/{uid}/deliveries"): ALERTS_STAFF,
    ("POST", "/api/alerts/items/{uid}/resend-failed"): ALERTS_STAFF,
    ("GET", "/api/alerts/items/{uid}/coverage"): ALERTS_STAFF,
    ("POST", "/api/alerts/notices/import"): frozenset({Role.EDITOR}),
    ("GET", "/api/alerts/series"): PUBLIC,
    ("POST", "/api/alerts/series"): frozenset({Role.EDITOR}),
    ("GET", "/api/alerts/bulletins"): PUBLIC,
    ("POST", "/api/alerts/bulletins"): frozenset({Role.EDITOR}),
    ("GET", "/api/alerts/bulletins/{series}/{number}"): PUBLIC,
    ("POST", "/api/alerts/bulletins/{series}/{number}/publish"): ALERTS_STAFF,
    ("GET", "/api/alerts/bulletins/{series}/{number}/coverage"): ALERTS_STAFF,
    ("GET", "/api/alerts/bulletins/{series}/{number}/deliveries"): ALERTS_STAFF,
    ("POST", "/api/alerts/bulletins/{series}/{number}/resend-failed"): ALERTS_STAFF,
    ("GET", "/api/alerts/coverage"): ALERTS_STAFF,
    ("POST", "/api/alerts/target-lists"): ALERTS_STAFF,
    ("POST", "/api/alerts/target-lists/{code}/upload"): ALERTS_STAFF,
    ("GET", "/api/alerts/me/preferences"): SIGNED_IN,
    ("PUT", "/api/alerts/me/preferences"): SIGNED_IN,
    ("GET", "/api/alerts/me/subscriptions"): SIGNED_IN,
    ("POST", "/api/alerts/me/subscriptions"): SIGNED_IN,
    ("DELETE", "/api/alerts/me/subscriptions/{subscription_id}"): SIGNED_IN,
    ("GET", "/api/alerts/me/inbox"): SIGNED_IN,
    ("POST", "/api/alerts/me/inbox/{delivery_id}/read"): SIGNED_IN,
    ("POST", "/api/alerts/me/feed-token"): SIGNED_IN,
    ("DELETE", "/api/alerts/me/feed-token"): SIGNED_IN,
    ("GET", "/feeds/alerts.atom"): PUBLIC,
    ("GET", "/feeds/private/{token}.atom"): PUBLIC,  # the secret address is the credential
    ("POST", "/alerts/unsubscribe"): PUBLIC,  # the signed token is the credential
    ("GET", "/alerts/unsubscribe"): PUBLIC,
    ("GET", "/alerts/opened/{token}.gif"): PUBLIC,  # the read receipt; the token is the proof
    ("POST", "/api/alerts/items/{uid}/attachments"): frozenset({Role.EDITOR}),
    ("GET", "/api/alerts/items/{uid}/attachments/{attachment_id}"): PUBLIC,  # by confidentiality
    # search: each capability answers with what the reader may read
    ("GET", "/api/search"): PUBLIC,
    ("GET", "/{lang}/search"): PUBLIC,
    ("GET", "/{lang}/countries/{name}"): PUBLIC,
    ("GET", "/{lang}/stats/footprint"): PUBLIC,
    # the data-source pages: public, as the data package listing the same imports is
    ("GET", "/{lang}/stats/sources"): PUBLIC,
    ("GET", "/{lang}/stats/sources/{name}"): PUBLIC,
    (
        "GET",
        "/{lang}/stats/footprint/{code}",
    ): PUBLIC,  # each section shows what the reader may read
    # alerts pages: public pages by confidentiality (tests/alerts/test_pages.py walks every
    # page as every kind of reader); a person's own pages; the desk and coverage for staff,
    # where the workflow's buttons are admitted to staff and refused by the service to the
    # role that may not (shown on the desk)
    ("GET", "/{lang}/alerts"): PUBLIC,
    ("GET", "/{lang}/alerts/{uid}"): PUBLIC,
    ("GET", "/{lang}/alerts/bulletins"): PUBLIC,
    ("GET", "/{lang}/alerts/bulletins/{series}/{number}"): PUBLIC,
    ("GET", "/{lang}/alerts/inbox"): SIGNED_IN,
    ("POST", "/{lang}/alerts/inbox/{delivery_id}/open"): SIGNED_IN,
    ("GET", "/{lang}/alerts/subscriptions"): SIGNED_IN,
    ("POST", "/{lang}/alerts/subscriptions"): SIGNED_IN,
    ("POST", "/{lang}/alerts/subscriptions/preferences"): SIGNED_IN,
    ("POST", "/{lang}/alerts/subscriptions/{subscription_id}/remove"): SIGNED_IN,
    ("POST", "/{lang}/alerts/subscriptions/feed"): SIGNED_IN,
    ("POST", "/{lang}/alerts/subscriptions/feed/revoke"): SIGNED_IN,
    ("GET", "/{lang}/alerts/desk"): ALERTS_STAFF,
    ("POST", "/{lang}/alerts/desk/items"): frozenset({Role.EDITOR}),
    ("POST", "/{lang}/alerts/desk/items/{uid}"): frozenset({Role.EDITOR}),
    ("POST", "/{lang}/alerts/desk/items/{uid}/attachments"): frozenset({Role.EDITOR}),
    ("POST", "/{lang}/alerts/desk/items/{uid}/{action}"): ALERTS_STAFF,
    ("POST", "/{lang}/alerts/desk/import"): frozenset({Role.EDITOR}),
    ("GET", "/{lang}/alerts/desk/{uid}"): ALERTS_STAFF,
    ("POST", "/{lang}/alerts/desk/{uid}/resend"): ALERTS_STAFF,
    ("GET", "/{lang}/alerts/desk/bulletins/{series}/{number}"): ALERTS_STAFF,
    ("POST", "/{lang}/alerts/desk/bulletins/{series}/{number}/resend"): ALERTS_STAFF,
    ("GET", "/{lang}/alerts/coverage"): ALERTS_STAFF,
    ("GET", "/{lang}/alerts/coverage.csv"): ALERTS_STAFF,
    ("GET", "/api/indices/port"): PUBLIC,
    ("GET", "/api/indices/port/weights"): PUBLIC,
    # logistics: tracking is public, as on carriers' sites (whoever holds the number may follow
    # it); DCSA events are posted by operators' tokens and read by any signed-in consumer
    ("GET", "/api/logistics/places"): PUBLIC,
    ("GET", "/api/logistics/equipment"): PUBLIC,
    ("GET", "/api/logistics/track/{kind}/{reference}"): PUBLIC,
    ("GET", "/api/logistics/transports"): PUBLIC,
    ("POST", "/api/logistics/transports"): frozenset({Role.LOGISTICS_OPERATOR}),
    ("GET", "/api/logistics/transports/{mode}/{reference}"): PUBLIC,
    # monthly counts of trains, calls and flights, as public as the statistics they feed
    ("GET", "/api/logistics/throughput"): PUBLIC,
    ("POST", "/dcsa/tnt/v3/events"): frozenset({Role.LOGISTICS_OPERATOR}),
    ("GET", "/dcsa/tnt/v3/events"): SIGNED_IN,
    ("POST", "/api/logistics/subscriptions"): LOGISTICS_SUBSCRIBERS,
    ("GET", "/api/logistics/subscriptions"): LOGISTICS_SUBSCRIBERS,
    ("POST", "/api/logistics/subscriptions/{subscription_id}/secret"): LOGISTICS_SUBSCRIBERS,
    ("DELETE", "/api/logistics/subscriptions/{subscription_id}"): LOGISTICS_SUBSCRIBERS,
    ("GET", "/{lang}/track"): PUBLIC,
    ("GET", "/{lang}/logistics/transports"): PUBLIC,
    ("GET", "/{lang}/logistics/transports/{mode}/{reference}"): PUBLIC,
    # the operator's upload posts events as the DCSA route does; the subscriptions page holds
    # the subscriptions the API does, each person's own (an admin's: everyone's)
    ("GET", "/{lang}/logistics/upload"): frozenset({Role.LOGISTICS_OPERATOR}),
    ("POST", "/{lang}/logistics/upload"): frozenset({Role.LOGISTICS_OPERATOR}),
    ("GET", "/{lang}/logistics/subscriptions"): LOGISTICS_SUBSCRIBERS,
    ("POST", "/{lang}/logistics/subscriptions"): LOGISTICS_SUBSCRIBERS,
    ("POST", "/{lang}/logistics/subscriptions/{subscription_id}/secret"): LOGISTICS_SUBSCRIBERS,
    ("POST", "/{lang}/logistics/subscriptions/{subscription_id}/delete"): LOGISTICS_SUBSCRIBERS,
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
    # the administrator's workspace
    ("GET", "/{lang}/admin"): ADMIN_ONLY,
    ("GET", "/{lang}/admin/people"): ADMIN_ONLY,
    ("POST", "/{lang}/admin/people"): ADMIN_ONLY,
    ("GET", "/{lang}/admin/people/{user_id}"): ADMIN_ONLY,
    ("POST", "/{lang}/admin/people/{user_id}/roles"): ADMIN_ONLY,
    ("POST", "/{lang}/admin/people/{user_id}/organisation"): ADMIN_ONLY,
    ("POST", "/{lang}/admin/people/{user_id}/active"): ADMIN_ONLY,
    ("GET", "/{lang}/admin/organisations"): ADMIN_ONLY,
    ("POST", "/{lang}/admin/organisations"): ADMIN_ONLY,
    ("GET", "/{lang}/admin/organisations/{org_id}"): ADMIN_ONLY,
    ("POST", "/{lang}/admin/organisations/{org_id}"): ADMIN_ONLY,
    ("GET", "/{lang}/admin/tokens"): ADMIN_ONLY,
    ("POST", "/{lang}/admin/tokens/{token_id}/revoke"): ADMIN_ONLY,
    ("GET", "/{lang}/admin/audit"): ADMIN_ONLY,
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
    # Not 1, the admin calling: an admin's own deactivation is refused (tested apart).
    "user_id": "2",
    "org_id": "1",
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
