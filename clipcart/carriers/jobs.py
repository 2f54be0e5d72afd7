"""Carrier simulator jobs: a periodic sweep, and a tick that follows a newly accepted parcel
every ``CLIPCART_CARRIER_SCAN_SECONDS`` so the demo moves in seconds, not minutes."""

from __future__ import annotations

import logging

from huey import crontab
from sqlalchemy import event as sa_event
from sqlalchemy import select
from sqlalchemy.orm import Session

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
        _schedule()
    return scans


def _schedule() -> None:
    try:
        simulator_tick.schedule(delay=get_carrier_settings().scan_interval_seconds)
    except Exception:  # the periodic sweep moves parcels anyway
        log.exception("could not schedule the carrier simulator")


@sa_event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if not session.in_nested_transaction() and session.info.pop("carrier_sim_pending", False):
        _schedule()


@sa_event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    if not session.in_nested_transaction():
        session.info.pop("carrier_sim_pending", None)
