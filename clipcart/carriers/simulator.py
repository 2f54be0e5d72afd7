"""The carrier simulator: a stand-in logistics partner with its own books.

It accepts parcels (issuing tracking numbers for labels bought through the platform, or
taking the number a seller wrote on the box), then reports scans on a schedule: collected,
in transit, out for delivery, (failed delivery,) delivered. Each scan is an event row in the
simulator's outbox, sent to the platform as a webhook signed ``Carrier-Signature:
t=<unix>,v1=<HMAC-SHA256 of "t.body">`` and retried with backoff until accepted.

``advance(db, now)`` makes every due parcel take its next scan and sends what is pending;
a periodic job calls it in the demo (scans ``CLIPCART_CARRIER_SCAN_SECONDS`` apart), tests
call it after moving the injected clock. Webhooks go over HTTP when a client or URL is set
(``use_http_client``, ``CLIPCART_CARRIER_WEBHOOK_URL``), else straight into this process's
receiver, still signed and verified.
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

import httpx
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from clipcart import clock
from clipcart.aftercommit import after_commit
from clipcart.carriers.config import get_carrier_settings
from clipcart.carriers.interface import EVENT_ID_HEADER, SIGNATURE_HEADER, sign
from clipcart.carriers.models import SimEvent, SimShipment
from clipcart.db import Database
from clipcart.errors import Conflict, DomainError, NotFound
from clipcart.ids import new_id

log = logging.getLogger(__name__)

SCENARIOS: dict[str, tuple[str, ...]] = {
    "normal": ("COLLECTED", "IN_TRANSIT", "OUT_FOR_DELIVERY", "DELIVERED"),
    "failed_first_attempt": ("COLLECTED", "IN_TRANSIT", "OUT_FOR_DELIVERY", "FAILED_DELIVERY",
                             "DELIVERED"),
}
LOCATIONS = {"COLLECTED": "Seller's address", "IN_TRANSIT": "Sorting hub",
             "OUT_FOR_DELIVERY": "Local depot", "FAILED_DELIVERY": "Local depot",
             "DELIVERED": "Buyer's address"}
BACKOFF = (timedelta(seconds=10), timedelta(seconds=30), timedelta(minutes=2),
           timedelta(minutes=10), timedelta(hours=1))
LEASE = timedelta(seconds=60)

_client_override: httpx.Client | None = None


@contextmanager
def use_http_client(client: httpx.Client | None, url: str | None = None) -> Iterator[None]:
    """Send webhooks through this client (tests pass a TestClient or a failing transport)."""
    global _client_override, _url_override
    previous = _client_override, _url_override
    _client_override, _url_override = client, url
    try:
        yield
    finally:
        _client_override, _url_override = previous


_url_override: str | None = None


def _interval() -> timedelta:
    return timedelta(seconds=get_carrier_settings().scan_interval_seconds)


def accept(session: Session, *, carrier_code: str, reference: str, market: str,
           tracking_number: str | None) -> str:
    """Take a parcel; the first scan (collection) is due one interval from now."""
    from clipcart.carriers.interface import get_carrier

    prefix = get_carrier(carrier_code).info.tracking_prefix
    number = tracking_number or f"{prefix}{secrets.randbelow(10**12):012d}{market}"
    exists = session.execute(select(SimShipment.id).where(
        SimShipment.carrier_code == carrier_code, SimShipment.tracking_number == number)).first()
    if exists is not None:
        raise Conflict("The carrier already has a parcel with this tracking number.",
                       code="TRACKING_NUMBER_IN_USE", extra={"field": "tracking_number"})
    now = clock.now()
    session.add(SimShipment(id=new_id(), carrier_code=carrier_code, tracking_number=number,
                            reference=reference, market=market, scenario="normal", step=0,
                            next_scan_at=now + _interval(), created_at=now))
    session.flush()
    after_commit(session, _wake_scanner, key="carrier-sim")
    return number


def _wake_scanner() -> None:
    from clipcart.carriers.jobs import schedule_scan  # the job module imports this one

    schedule_scan()


def parcel(session: Session, carrier_code: str, tracking_number: str) -> SimShipment:
    found = session.execute(select(SimShipment).where(
        SimShipment.carrier_code == carrier_code,
        SimShipment.tracking_number == tracking_number)).scalar_one_or_none()
    if found is None:
        raise NotFound("The carrier has no parcel with this tracking number.")
    return found


def set_scenario(session: Session, carrier_code: str, tracking_number: str,
                 scenario: str) -> None:
    """Choose what happens to a parcel that has not been delivered yet (tests, demo)."""
    if scenario not in SCENARIOS:
        raise NotFound(f"No scenario {scenario!r}.")
    found = parcel(session, carrier_code, tracking_number)
    found.scenario = scenario


def scans_of(found: SimShipment) -> tuple[str, ...]:
    return SCENARIOS[found.scenario]


def _scan(session: Session, found: SimShipment, now: datetime) -> int:
    script = scans_of(found)
    status = script[found.step]
    event_id = new_id()
    body = {"id": f"sev_{event_id}", "carrier": found.carrier_code,
            "tracking_number": found.tracking_number, "reference": found.reference,
            "status": status, "occurred_at": now.isoformat(),
            "location": LOCATIONS[status]}
    session.add(SimEvent(id=event_id, shipment_id=found.id, status=status,
                         body=json.dumps(body, separators=(",", ":")), created_at=now,
                         attempts=0, next_attempt_at=now))
    found.step += 1
    found.next_scan_at = now + _interval() if found.step < len(script) else None
    return event_id


def scan_due(db: Database, now: datetime | None = None, limit: int = 500) -> int:
    """Every parcel whose next scan is due takes it; returns how many scans were made."""
    now = now or clock.now()
    with db.transaction() as session:
        due = session.execute(
            select(SimShipment).where(SimShipment.next_scan_at.is_not(None),
                                      SimShipment.next_scan_at <= now)
            .order_by(SimShipment.id).limit(limit).with_for_update(skip_locked=True)
        ).scalars().all()
        for found in due:
            _scan(session, found, now)
        return len(due)


def _claim(db: Database, event_id: int) -> tuple[str, str, bytes, int] | None:
    now = clock.now()
    with db.transaction() as session:
        claimed = session.execute(
            update(SimEvent)
            .where(SimEvent.id == event_id, SimEvent.delivered_at.is_(None),
                   SimEvent.next_attempt_at.is_not(None), SimEvent.next_attempt_at <= now)
            .values(next_attempt_at=now + LEASE).returning(SimEvent.id)).scalar_one_or_none()
        if claimed is None:
            return None
        event = session.get(SimEvent, event_id)
        assert event is not None
        found = session.get(SimShipment, event.shipment_id)
        assert found is not None
        return found.carrier_code, f"sev_{event.id}", event.body.encode(), event.attempts


def _send(db: Database, carrier_code: str, event_ref: str, body: bytes) -> str | None:
    """Post one webhook; None when the platform accepted it, else what went wrong."""
    conf = get_carrier_settings()
    headers = {"content-type": "application/json", EVENT_ID_HEADER: event_ref,
               SIGNATURE_HEADER: sign(conf.webhook_secret, int(clock.now().timestamp()), body),
               "user-agent": "carrier-simulator/1"}
    url = _url_override or conf.webhook_url
    if _client_override is None and url is None:
        from clipcart.carriers.service import receive_webhook

        try:
            receive_webhook(db, carrier_code, body, headers)
            return None
        except DomainError as exc:
            return f"{exc.code}: {exc.detail}"
    client = _client_override or httpx.Client(timeout=10.0)
    target = f"{(url or '').rstrip('/')}/{carrier_code}"
    try:
        response = client.post(target, content=body, headers=headers)
        return None if 200 <= response.status_code < 300 else (
            f"HTTP {response.status_code}: {response.text[:300]}")
    except httpx.HTTPError as exc:
        return f"{type(exc).__name__}: {exc}"[:500]
    finally:
        if client is not _client_override:
            client.close()


def deliver(db: Database, event_id: int) -> bool:
    claim = _claim(db, event_id)
    if claim is None:
        return False
    carrier_code, event_ref, body, attempts = claim
    error = _send(db, carrier_code, event_ref, body)
    attempt = attempts + 1
    now = clock.now()
    retry_in = BACKOFF[attempt - 1] if error is not None and attempt <= len(BACKOFF) else None
    with db.transaction() as session:
        event = session.get(SimEvent, event_id)
        assert event is not None
        event.attempts = attempt
        event.delivered_at = now if error is None else None
        event.next_attempt_at = now + retry_in if retry_in is not None else None
        event.last_error = error
    if error is not None:
        log.warning("carrier webhook %s attempt %s failed: %s", event_ref, attempt, error)
    return error is None


def send_pending(db: Database, now: datetime | None = None, limit: int = 500) -> int:
    now = now or clock.now()
    with db.sessions() as session:
        due = list(session.execute(
            select(SimEvent.id).where(SimEvent.delivered_at.is_(None),
                                      SimEvent.next_attempt_at.is_not(None),
                                      SimEvent.next_attempt_at <= now)
            .order_by(SimEvent.id).limit(limit)).scalars())
    return sum(deliver(db, event_id) for event_id in due)


def advance(db: Database, now: datetime | None = None) -> int:
    """Take every due scan and send every due webhook; returns how many scans were made."""
    scans = scan_due(db, now)
    send_pending(db, now)
    return scans


def resend(db: Database, event_id: int) -> bool:
    """Send an already delivered scan again, as carriers do (tests of duplicate delivery)."""
    with db.sessions() as session:
        event = session.get(SimEvent, event_id)
        if event is None:
            raise NotFound("No such carrier event.")
        found = session.get(SimShipment, event.shipment_id)
        assert found is not None
        code, body = found.carrier_code, event.body.encode()
    return _send(db, code, f"sev_{event_id}", body) is None


def events_of(db: Database, carrier_code: str, tracking_number: str) -> list[SimEvent]:
    with db.sessions() as session:
        found = parcel(session, carrier_code, tracking_number)
        return list(session.execute(select(SimEvent).where(SimEvent.shipment_id == found.id)
                                    .order_by(SimEvent.id)).scalars())
