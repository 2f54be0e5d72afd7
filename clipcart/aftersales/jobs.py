"""Periodic jobs: each timed rule of after-sales runs every minute (see timers.py)."""

from __future__ import annotations

from huey import crontab

from clipcart.aftersales import timers
from clipcart.db import get_database
from clipcart.jobs import huey


@huey.periodic_task(crontab(minute="*"), name="aftersales.auto_approve")
def auto_approve_requests() -> int:
    with get_database().transaction() as session:
        return timers.auto_approve(session)


@huey.periodic_task(crontab(minute="*"), name="aftersales.expire_unshipped")
def expire_unshipped_returns() -> int:
    with get_database().transaction() as session:
        return timers.expire_unshipped(session)


@huey.periodic_task(crontab(minute="*"), name="aftersales.auto_confirm_receipts")
def auto_confirm_receipts() -> int:
    with get_database().transaction() as session:
        return timers.auto_confirm_receipts(session)


@huey.periodic_task(crontab(minute="*"), name="aftersales.close_unescalated")
def close_unescalated_rejections() -> int:
    with get_database().transaction() as session:
        return timers.close_unescalated(session)


@huey.periodic_task(crontab(minute="*"), name="aftersales.complete_refunded")
def complete_refunded_requests() -> int:
    with get_database().transaction() as session:
        return timers.complete_refunded(session)
