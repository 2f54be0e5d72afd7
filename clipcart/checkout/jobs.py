"""Checkout's jobs: pay scheduled refunds after the commit that scheduled them, and sweep."""

from __future__ import annotations

from huey import crontab

from clipcart.checkout.refunds import run_refunds
from clipcart.db import get_database
from clipcart.jobs import huey


@huey.task(retries=3, retry_delay=10, name="checkout.pay_refunds")
def pay_refunds() -> int:
    return run_refunds(get_database())


@huey.periodic_task(crontab(minute="*"), name="checkout.sweep_refunds")
def sweep_refunds() -> int:
    return run_refunds(get_database())
