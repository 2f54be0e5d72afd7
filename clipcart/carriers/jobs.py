"""Carrier simulator jobs: a periodic sweep, and a tick that follows a newly accepted parcel
every ``CLIPCART_CARRIER_SCAN_SECONDS`` so the demo moves in seconds, not minutes."""

from __future__ import annotations

import logging

from huey import crontab
from sqlalchemy import select

from clipcart.carriers import simulator
from clipcart.carriers.config import get_carrier_settings
from clipcart.carriers.models import SimShipment
from clipcart.db import get_database
from clipcart.jobs import huey

log = logging.getLogger(__name__)


@huey.periodic_task(crontab(minute="*"), name="carriers.simulator_advance")
def advance_carrier_simulator() -> int:
    return simulator.advance(get_database())


@huey.task(name="carriers.simulator_tick")
def simulator_tick() -> int:
    db = get_database()
    scans = simulator.advance(db)
    with db.sessions() as session:
        more = session.execute(select(SimShipment.id).where(
            SimShipment.next_scan_at.is_not(None)).limit(1)).first() is not None
    if more:
        schedule_scan()
    return scans


def schedule_scan() -> None:
    try:
        simulator_tick.schedule(delay=get_carrier_settings().scan_interval_seconds)
    except Exception:  # the periodic sweep moves parcels anyway
        log.exception("could not schedule the carrier simulator")
