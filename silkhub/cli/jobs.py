"""``silkhub jobs``: what the outbox holds, its dead letters, and sending them again."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from silkhub.cli.context import cli_actor, console, state
from silkhub.stores import outbox

app = typer.Typer(
    help="Background jobs in the outbox: counts, dead letters, requeue.", no_args_is_help=True
)


def _zh() -> bool:
    return state.language == "zh"


@app.command("status")
def status() -> None:
    """How many jobs are pending, running, done and dead."""
    with state.database().reading() as session:
        counts = outbox.stats(session)
    table = Table("状态" if _zh() else "status", "数量" if _zh() else "jobs")
    for name, count in counts.items():
        table.add_row(name, str(count))
    console.print(table)


@app.command("dead")
def dead(
    limit: Annotated[int, typer.Option(help="At most this many, newest first.", min=1)] = 50,
    kind: Annotated[
        str | None, typer.Option(help="Only jobs of this kind.", show_default=False)
    ] = None,
) -> None:
    """List dead-lettered jobs with their last error."""
    with state.database().reading() as session:
        jobs = outbox.dead_letters(session, limit=limit, kind=kind)
    table = Table("id", "kind", "attempts", "finished", "last error")
    for job in jobs:
        first_line = (job.last_error or "").strip().splitlines()[:1]
        table.add_row(
            str(job.id),
            job.kind,
            str(job.attempts),
            str(job.finished_at or ""),
            first_line[0] if first_line else "",
        )
    console.print(table)


@app.command("requeue")
def requeue(
    job_ids: Annotated[list[int], typer.Argument(help="Ids of dead jobs (see `jobs dead`).")],
    attempts: Annotated[int, typer.Option(help="How many more attempts each gets.", min=1)] = 1,
) -> None:
    """Give dead jobs another chance, once their cause is fixed."""
    with state.database().transaction(cli_actor()) as session:
        count = outbox.requeue_dead(session, job_ids, extra_attempts=attempts)
    console.print(f"已重新排队 {count} 个任务。" if _zh() else f"Requeued {count} job(s).")
    if count < len(set(job_ids)):
        console.print(
            "其余任务不存在或并非死信。" if _zh() else "The others do not exist or are not dead."
        )
