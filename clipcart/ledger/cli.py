"""``clipcart ledger ...``: operator commands for the books."""

from __future__ import annotations

import json
import sys

import click


@click.group("ledger")
def group() -> None:
    """The double-entry ledger."""


@group.command("check")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def check(as_json: bool) -> None:
    """Recompute every balance from the transfers; exit 1 when the books are wrong."""
    from sqlalchemy.orm import Session

    from clipcart.db import get_database
    from clipcart.ledger.service import check_invariants, currency_totals

    engine = get_database().engine
    if engine.dialect.name == "postgresql":  # one snapshot for every query of the check
        engine = engine.execution_options(isolation_level="REPEATABLE READ")
    with Session(engine) as session, session.begin():
        problems = check_invariants(session)
        totals = currency_totals(session)
    accounts = sum(count for _, count, _ in totals)
    if as_json:
        click.echo(json.dumps({"ok": not problems, "problems": problems, "accounts": accounts,
                               "currencies": [currency for currency, _, _ in totals]}))
    elif problems:
        click.echo(f"The ledger has {len(problems)} problem(s):")
        for problem in problems:
            click.echo(f"  - {problem}")
    else:
        click.echo(f"The ledger is consistent: {accounts} account(s) in {len(totals)} "
                   f"currenc{'y' if len(totals) == 1 else 'ies'}, every invariant holds.")
    if problems:
        sys.exit(1)
