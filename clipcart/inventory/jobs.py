"""Periodic job: release reservations whose checkout was not paid in time."""

from __future__ import annotations

from huey import crontab

from clipcart import clock
from clipcart.db import get_database
from clipcart.inventory.reservations import release_expired
from clipcart.jobs import huey

BATCH = 500


def release_expired_now(batch: int = BATCH) -> int:
    """Release every due reservation, one short transaction per batch; how many."""
    total = 0
    while True:
        with get_database().transaction() as session:
            released = release_expired(session, clock.now(), limit=batch)
        total += released
        if released < batch:
            return total


@huey.periodic_task(crontab(minute="*"), name="inventory.release_expired_reservations")
def release_expired_reservations() -> int:
    return release_expired_now()
