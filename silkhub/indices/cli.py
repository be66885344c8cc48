"""``silkhub index``: the index-number tools at the command line."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from silkhub.indices.formulas import Formula
from silkhub.indices.price_file import compute, read_panel, to_csv

app = typer.Typer(help="Maritime Silk Road indices and index-number tools.", no_args_is_help=True)
COMMANDS = {"index": app}


@app.command("price-index")
def price_index(
    file: Annotated[
        Path, typer.Argument(help="A CSV file with columns item,period,price,quantity.")
    ],
    formula: Annotated[
        str, typer.Option(help="laspeyres, paasche, fisher or tornqvist.")
    ] = "fisher",
    chained: Annotated[
        bool, typer.Option("--chained", help="Chain period-to-period links instead of fixed base.")
    ] = False,
    base: Annotated[
        str | None,
        typer.Option(help="The period that is 100 (default: the first).", show_default=False),
    ] = None,
    quantity: Annotated[
        bool, typer.Option("--quantity", help="The matching quantity index instead of prices.")
    ] = False,
) -> None:
    """A price (or quantity) index from item prices and quantities, printed as CSV with a
    header ``period,index`` and the base period = 100.

    Each comparison uses the items priced in both periods it compares. Every problem of the
    file (missing column, empty, non-numeric, zero or negative value, repeated item and
    period) is listed with its row and column, and nothing is printed on standard output.
    """
    chosen = Formula.parse(formula)
    index = compute(read_panel(file), chosen, base=base, chained=chained, quantity=quantity)
    # Plain text on stdout (no rich markup or wrapping): it is meant to be piped.
    sys.stdout.write(to_csv(index))
