"""Risk alerts and the information service: items (risk alerts, TBT and SPS notifications,
briefs), the editorial workflow, bulletins, subscriptions, delivery and coverage. Today: the
alerts' Common Alerting Protocol documents (``cap``)."""
