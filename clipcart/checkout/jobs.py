"""Checkout's jobs: pay scheduled refunds after the commit that scheduled them, and sweep."""

from __future__ import annotations

import logging

from huey import crontab
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session

from clipcart.checkout.refunds import PENDING_FLAG, run_refunds
from clipcart.db import get_database
from clipcart.jobs import huey

log = logging.getLogger(__name__)


@huey.task(retries=3, retry_delay=10, name="checkout.pay_refunds")
def pay_refunds() -> int:
    return run_refunds(get_database())


@huey.periodic_task(crontab(minute="*"), name="checkout.sweep_refunds")
def sweep_refunds() -> int:
    return run_refunds(get_database())


@sa_event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if not session.in_nested_transaction() and session.info.pop(PENDING_FLAG, False):
        try:
            pay_refunds()
        except Exception:  # the sweep pays it
            log.exception("could not enqueue the refund run")


@sa_event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    if not session.in_nested_transaction():
        session.info.pop(PENDING_FLAG, None)
