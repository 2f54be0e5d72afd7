"""Finance's periodic jobs; each calls a service function tests drive with the clock."""

from __future__ import annotations

from huey import crontab

from clipcart.db import get_database
from clipcart.finance import payouts, service, statements
from clipcart.jobs import huey


@huey.periodic_task(crontab(minute="*/5"), name="finance.settle_due")
def settle_due_orders() -> int:
    return service.settle_due(get_database())


@huey.periodic_task(crontab(minute="*"), name="finance.run_payouts")
def send_payouts() -> int:
    return payouts.run_payouts(get_database())


@huey.periodic_task(crontab(minute="30"), name="finance.check_returns")
def check_payout_returns() -> int:
    return payouts.check_returns(get_database())


@huey.periodic_task(crontab(minute="0", hour="2"), name="finance.scheduled_payouts")
def scheduled_payouts() -> int:
    return payouts.run_scheduled(get_database())


@huey.periodic_task(crontab(minute="15"), name="finance.close_statements")
def close_statements() -> int:
    with get_database().transaction() as session:
        return statements.close_days(session)
