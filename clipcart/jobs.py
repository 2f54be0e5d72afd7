"""Background and periodic jobs on huey.

Storage follows ``CLIPCART_JOBS_URL``: a SQLite file (default; ``clipcart serve`` runs the
consumer in-process), ``postgresql://`` or ``redis://`` (``clipcart worker`` processes).
The outbox is drained by a task kicked after every commit that emitted events, and by a
periodic sweep that catches anything a crash left behind.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlparse

from huey import Huey, PostgresHuey, RedisHuey, SqliteHuey, crontab
from huey.consumer import Consumer

from clipcart import events
from clipcart.config import Settings, get_settings
from clipcart.db import get_database

log = logging.getLogger(__name__)


def build_huey(settings: Settings) -> Huey:
    url, name = settings.jobs_url, settings.jobs_queue
    scheme = urlparse(url).scheme
    if scheme == "memory":  # tests: tasks run inline, right after the commit that kicks them
        return Huey(name, immediate=True, results=False)
    if scheme.startswith("sqlite"):
        path = url.split(":///", 1)[1]
        return SqliteHuey(name, filename=path, results=False, timeout=15)
    if scheme.startswith("postgres"):
        dsn = url.replace("postgresql+psycopg://", "postgresql://", 1)
        return PostgresHuey(name, dsn=dsn, results=False)
    if scheme.startswith("redis"):
        return RedisHuey(name, url=url, results=False)
    raise SystemExit(f"CLIPCART_JOBS_URL: unsupported scheme {scheme!r}")


huey = build_huey(get_settings())


@huey.task(retries=3, retry_delay=5)
def drain_outbox() -> int:
    return events.drain(get_database())


@huey.periodic_task(crontab(minute="*"))
def sweep_outbox() -> int:
    """Catch events whose kick was lost (crash between commit and enqueue)."""
    return events.drain(get_database())


def kick_outbox() -> None:
    try:
        drain_outbox()
    except Exception:  # the periodic sweep will pick it up
        log.exception("could not enqueue the outbox drain")


events.on_committed_events(kick_outbox)


def make_consumer(workers: int = 2, **kwargs: Any) -> Consumer:
    import clipcart.handlers  # noqa: F401  (registers every context's handlers)

    return huey.create_consumer(workers=workers, worker_type="thread", periodic=True,
                                check_worker_health=True, **kwargs)
