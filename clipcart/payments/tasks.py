"""Periodic payment jobs: reconciliation on the platform, and the sandbox provider's own
webhook sweep and challenge expiry (imported here so every worker registers them)."""

from __future__ import annotations

from huey import crontab

from clipcart.db import get_database
from clipcart.jobs import huey
from clipcart.payments.reconcile import reconcile
from clipcart.payments.sandbox import service as sandbox
from clipcart.payments.sandbox import webhooks as sandbox_webhooks  # noqa: F401  (its tasks)


@huey.periodic_task(crontab(minute="*/2"))
def reconcile_payments() -> int:
    return reconcile(get_database())


@huey.periodic_task(crontab(minute="*/5"))
def expire_psp_challenges() -> int:
    with get_database().transaction() as session:
        return sandbox.expire_challenges(session)
