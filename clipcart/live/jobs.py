"""Periodic job: end flash sales whose time is up and rooms past ``live_max_hours``."""

from __future__ import annotations

from huey import crontab

from clipcart.db import get_database
from clipcart.jobs import huey
from clipcart.live import flash, service


def sweep() -> tuple[int, int]:
    with get_database().transaction() as session:
        sales = flash.end_due(session)
        rooms = service.end_overdue(session)
    return sales, rooms


@huey.periodic_task(crontab(minute="*"), name="live.sweep")
def live_sweep() -> tuple[int, int]:
    return sweep()
