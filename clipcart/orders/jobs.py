"""Periodic order jobs: holds end, delivered orders complete, late shipments are flagged."""

from __future__ import annotations

from huey import crontab

from clipcart.db import get_database
from clipcart.jobs import huey
from clipcart.orders import fulfillment
from clipcart.orders.service import release_holds


@huey.periodic_task(crontab(minute="*"), name="orders.release_holds")
def release_order_holds() -> int:
    with get_database().transaction() as session:
        return release_holds(session)


@huey.periodic_task(crontab(minute="*/5"), name="orders.complete_delivered")
def complete_delivered_orders() -> int:
    with get_database().transaction() as session:
        return fulfillment.complete_delivered(session)


@huey.periodic_task(crontab(minute="*/5"), name="orders.flag_late_shipments")
def flag_late_shipments() -> int:
    with get_database().transaction() as session:
        fulfillment.backfill_packages(session)
        return fulfillment.flag_late_orders(session)
