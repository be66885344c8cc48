"""Workers: run the outbox's background jobs (deliveries, scheduled releases, callbacks).

See ``docs/workers.md``. ``run_worker`` is what ``silkhub worker`` and
``python -m silkhub.workers`` call; handlers are registered through ``HANDLERS`` mappings
(``silkhub.workers.registry``).
"""
