"""Webhook sending: kicked after a commit that queued deliveries, and swept every minute."""

from __future__ import annotations

import logging

from huey import crontab

from clipcart.db import get_database
from clipcart.jobs import huey
from clipcart.openplatform.webhooks import deliver_due

log = logging.getLogger(__name__)


@huey.task(retries=2, retry_delay=10, name="openplatform.send_webhooks_now")
def send_webhooks() -> int:
    return deliver_due(get_database())


@huey.periodic_task(crontab(minute="*"), name="openplatform.send_webhooks")
def sweep_webhooks() -> int:
    return deliver_due(get_database())
