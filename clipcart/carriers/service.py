"""Carriers' service: book labels, register seller-entered tracking numbers, and accept the
carriers' signed tracking webhooks.

Each verified event is stored once per (shipment, status); when it moves the shipment forward
it is announced as ``carriers.tracking`` {shipment_id, purpose, reference, tracking_number,
status, at} in the same transaction. A repeat, or a status older than the shipment's, is
recorded (or ignored) and announces nothing. The owner of the reference reacts: orders for
``package:{id}``, after-sales for ``return:{id}``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from clipcart import clock, events
from clipcart.carriers.interface import CARRIERS, DEFAULT_CARRIER, get_carrier
from clipcart.carriers.models import PURPOSES, RANK, Shipment, TrackingEvent
from clipcart.db import Database
from clipcart.errors import Conflict, NotFound, ValidationFailed
from clipcart.ids import new_id
from clipcart.markets import get_markets

TRACKING_NUMBER = re.compile(r"^[A-Za-z0-9-]{6,40}$")


@dataclass(frozen=True)
class WebhookOutcome:
    event_id: str
    outcome: str  # applied, stale (older than the shipment's status), duplicate, unknown


def _check(purpose: str, reference: str, market: str) -> None:
    if purpose not in PURPOSES:
        raise ValidationFailed(f"purpose is one of {', '.join(PURPOSES)}.", field="purpose")
    if not reference.startswith(f"{purpose}:") or len(reference) > 60:
        raise ValidationFailed(f"reference is '{purpose}:<id>'.", field="reference")
    if market not in get_markets():
        raise ValidationFailed(f"Unknown market {market!r}.", field="market")


def book_shipment(session: Session, *, purpose: str, reference: str, market: str,
                  carrier_code: str | None = None) -> Shipment:
    """Buy a label from a carrier (the default one unless named): a tracking number, and the
    carrier collects the parcel and reports its scans."""
    _check(purpose, reference, market)
    carrier = get_carrier(carrier_code or DEFAULT_CARRIER)
    number = carrier.book(session, reference=reference, market=market)
    return _record(session, carrier.info.code, number, purpose, reference, market, True)


def register_tracking(session: Session, *, purpose: str, reference: str, market: str,
                      carrier_code: str, tracking_number: str) -> Shipment:
    """A parcel handed to a carrier with a number the seller (or buyer) entered."""
    _check(purpose, reference, market)
    number = tracking_number.strip().upper()
    if not TRACKING_NUMBER.match(number):
        raise ValidationFailed("A tracking number is 6 to 40 letters, digits or dashes.",
                               field="tracking_number")
    carrier = get_carrier(carrier_code)
    taken = session.execute(select(Shipment.id).where(
        Shipment.carrier_code == carrier.info.code, Shipment.tracking_number == number)).first()
    if taken is not None:
        raise Conflict("This tracking number is already in use.",
                       code="TRACKING_NUMBER_IN_USE", extra={"field": "tracking_number"})
    carrier.register(session, reference=reference, market=market, tracking_number=number)
    return _record(session, carrier.info.code, number, purpose, reference, market, False)


def _record(session: Session, code: str, number: str, purpose: str, reference: str,
            market: str, booked: bool) -> Shipment:
    now = clock.now()
    shipment = Shipment(id=new_id(), carrier_code=code, tracking_number=number,
                        purpose=purpose, reference=reference, market=market,
                        booked_by_platform=booked, status="BOOKED", created_at=now,
                        updated_at=now)
    session.add(shipment)
    session.flush()
    return shipment


def get_shipment(session: Session, shipment_id: int) -> Shipment:
    found = session.get(Shipment, shipment_id)
    if found is None:
        raise NotFound("No such shipment.")
    return found


def tracking_of(session: Session, shipment_ids: Sequence[int]) -> dict[int, list[TrackingEvent]]:
    """The accepted scans of these shipments, oldest first; one query."""
    result: dict[int, list[TrackingEvent]] = {sid: [] for sid in shipment_ids}
    if shipment_ids:
        for row in session.execute(select(TrackingEvent).where(
                TrackingEvent.shipment_id.in_(list(shipment_ids)), TrackingEvent.applied)
                .order_by(TrackingEvent.occurred_at, TrackingEvent.id)).scalars():
            result[row.shipment_id].append(row)
    return result


def label_url(shipment: Shipment) -> str:
    return get_carrier(shipment.carrier_code).label_url(shipment.tracking_number)


def carrier_choices() -> list[tuple[str, str, str]]:
    """(code, name, shipping_provider_id) of every carrier, for forms and the seller API."""
    return [(c.info.code, c.info.name, c.info.provider_id) for c in CARRIERS.values()]


def receive_webhook(db: Database, carrier_code: str, raw_body: bytes,
                    headers: Mapping[str, str]) -> WebhookOutcome:
    """Verify a carrier's webhook (WebhookRejected, 400, when the signature is bad) and
    apply it at most once."""
    event = get_carrier(carrier_code).verify_webhook(raw_body, headers)
    try:
        with db.transaction() as session:
            shipment = session.execute(
                select(Shipment).where(Shipment.carrier_code == event.carrier_code,
                                       Shipment.tracking_number == event.tracking_number)
                .with_for_update()).scalar_one_or_none()
            if shipment is None:
                return WebhookOutcome(event.id, "unknown_shipment")
            seen = session.execute(select(TrackingEvent.id).where(
                TrackingEvent.shipment_id == shipment.id,
                TrackingEvent.status == event.status)).first()
            if seen is not None:
                return WebhookOutcome(event.id, "duplicate")
            current = shipment.status
            fresh = RANK[event.status] > RANK[current]
            now = clock.now()
            session.add(TrackingEvent(id=new_id(), shipment_id=shipment.id, status=event.status,
                                      carrier_event_id=event.id, location=event.location,
                                      occurred_at=event.occurred_at, received_at=now,
                                      applied=fresh))
            if fresh:
                moved = session.execute(
                    update(Shipment).where(Shipment.id == shipment.id,
                                           Shipment.status == current)
                    .values(status=event.status, updated_at=now).returning(Shipment.id)).first()
                if moved is None:
                    raise Conflict("The shipment changed at the same time; send it again.",
                                   code="SHIPMENT_STATE_CHANGED")
                events.emit(session, "carriers.tracking", {
                    "shipment_id": str(shipment.id), "purpose": shipment.purpose,
                    "reference": shipment.reference,
                    "tracking_number": shipment.tracking_number, "status": event.status,
                    "at": event.occurred_at.isoformat()})
            session.flush()
            return WebhookOutcome(event.id, "applied" if fresh else "stale")
    except IntegrityError:  # the same scan, recorded by a concurrent delivery
        return WebhookOutcome(event.id, "duplicate")
