"""``python -m silkhub.workers [--once] [--until-empty] [--max-jobs N]``: run one worker."""

from __future__ import annotations

import argparse
import sys

from silkhub.core.errors import InvalidInput
from silkhub.settings import load_settings
from silkhub.workers.runner import run_worker


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m silkhub.workers",
        description="Run a silkhub worker: claim outbox jobs and run their handlers.",
    )
    parser.add_argument("--once", action="store_true", help="take at most one job, then exit")
    parser.add_argument("--until-empty", action="store_true", help="exit when no job is due")
    parser.add_argument("--max-jobs", type=int, default=None, metavar="N", help="exit after N jobs")
    args = parser.parse_args(argv)
    if args.max_jobs is not None and args.max_jobs < 1:
        parser.error("--max-jobs must be at least 1")
    try:
        settings = load_settings()
    except InvalidInput as exc:
        for line in (exc.in_("zh"), exc.in_("en"), *(p.describe("en") for p in exc.problems)):
            print(line, file=sys.stderr)
        return 2
    return run_worker(
        settings, once=args.once, until_empty=args.until_empty, max_jobs=args.max_jobs
    )


if __name__ == "__main__":
    sys.exit(main())
