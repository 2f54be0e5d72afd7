"""Periodic job: paid orders leave ON_HOLD once the buyer's free-cancellation window ends."""

from __future__ import annotations

from huey import crontab

from clipcart.db import get_database
from clipcart.jobs import huey
from clipcart.orders.service import release_holds


@huey.periodic_task(crontab(minute="*"), name="orders.release_holds")
def release_order_holds() -> int:
    with get_database().transaction() as session:
        return release_holds(session)
