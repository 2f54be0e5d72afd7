"""The carrier seam: what the platform needs from a logistics partner, and the carriers it
knows. Only the simulated carriers exist today; a real partner is one more ``Carrier``."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Protocol

from sqlalchemy.orm import Session

from clipcart import clock
from clipcart.carriers.config import get_carrier_settings
from clipcart.carriers.models import TRACKING_STATUSES
from clipcart.errors import ValidationFailed

SIGNATURE_HEADER = "carrier-signature"
EVENT_ID_HEADER = "carrier-event-id"


class WebhookRejected(ValidationFailed):
    """A tracking webhook whose signature is missing, wrong or stale."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail, code="INVALID_SIGNATURE")


@dataclass(frozen=True)
class CarrierEvent:
    """One scan reported by a carrier, as the platform understands it."""

    id: str
    carrier_code: str
    tracking_number: str
    status: str
    occurred_at: datetime
    location: str


@dataclass(frozen=True)
class CarrierInfo:
    code: str
    name: str
    provider_id: str  # shipping_provider_id in the Partner API
    tracking_prefix: str


class Carrier(Protocol):
    info: CarrierInfo

    def book(self, session: Session, *, reference: str, market: str) -> str:
        """Buy a label for a parcel; the answer is its tracking number."""

    def register(self, session: Session, *, reference: str, market: str,
                 tracking_number: str) -> None:
        """Tell the carrier to track a parcel a seller handed over with this number."""

    def label_url(self, tracking_number: str) -> str:
        """Where the carrier's own label for a booked parcel can be printed."""

    def verify_webhook(self, raw_body: bytes, headers: Mapping[str, str]) -> CarrierEvent:
        """The event in a webhook, or WebhookRejected."""


def sign(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def verify_signature(secret: str, raw_body: bytes, headers: Mapping[str, str],
                     tolerance_seconds: int) -> None:
    lowered = {k.lower(): v for k, v in headers.items()}
    parts = dict(p.split("=", 1) for p in lowered.get(SIGNATURE_HEADER, "").split(",")
                 if "=" in p)
    try:
        timestamp = int(parts.get("t", ""))
    except ValueError:
        raise WebhookRejected("The webhook is not signed.") from None
    expected = sign(secret, timestamp, raw_body).split("v1=", 1)[1]
    if not hmac.compare_digest(expected, parts.get("v1", "")):
        raise WebhookRejected("The webhook signature does not match.")
    if abs(int(clock.now().timestamp()) - timestamp) > tolerance_seconds:
        raise WebhookRejected("The webhook signature is too old.")


def parse_event(raw_body: bytes) -> CarrierEvent:
    try:
        body = json.loads(raw_body)
        event = CarrierEvent(
            id=str(body["id"])[:64], carrier_code=str(body["carrier"]),
            tracking_number=str(body["tracking_number"]), status=str(body["status"]),
            occurred_at=datetime.fromisoformat(str(body["occurred_at"])),
            location=str(body.get("location") or "")[:120])
    except (ValueError, KeyError, TypeError):
        raise ValidationFailed("The webhook body is not a tracking event.") from None
    if event.occurred_at.tzinfo is None:  # a carrier that omits the offset means UTC
        event = replace(event, occurred_at=event.occurred_at.replace(tzinfo=UTC))
    if event.status not in TRACKING_STATUSES:
        raise ValidationFailed(f"Unknown tracking status {event.status!r}.", field="status")
    return event


class SimulatedCarrier:
    """A carrier backed by ``clipcart.carriers.simulator``. The simulator lives in this
    process, so booking is a call into its service in the caller's transaction (a real
    partner would be called over HTTP); its scans come back as signed webhooks."""

    def __init__(self, info: CarrierInfo) -> None:
        self.info = info

    def book(self, session: Session, *, reference: str, market: str) -> str:
        from clipcart.carriers import simulator

        return simulator.accept(session, carrier_code=self.info.code, reference=reference,
                                market=market, tracking_number=None)

    def register(self, session: Session, *, reference: str, market: str,
                 tracking_number: str) -> None:
        from clipcart.carriers import simulator

        simulator.accept(session, carrier_code=self.info.code, reference=reference,
                         market=market, tracking_number=tracking_number)

    def label_url(self, tracking_number: str) -> str:
        return f"/carrier-sim/labels/{self.info.code}/{tracking_number}"

    def verify_webhook(self, raw_body: bytes, headers: Mapping[str, str]) -> CarrierEvent:
        conf = get_carrier_settings()
        verify_signature(conf.webhook_secret, raw_body, headers, conf.webhook_tolerance_seconds)
        event = parse_event(raw_body)
        if event.carrier_code != self.info.code:
            raise WebhookRejected("The webhook is for another carrier.")
        return event


CARRIERS: dict[str, Carrier] = {c.info.code: c for c in (
    SimulatedCarrier(CarrierInfo("SIMX", "ClipExpress (simulated)", "7100000000000000001", "CX")),
    SimulatedCarrier(CarrierInfo("SIMPOST", "Sim Post (simulated)", "7100000000000000002", "SP")),
)}
DEFAULT_CARRIER = "SIMX"


def get_carrier(code: str) -> Carrier:
    carrier = CARRIERS.get(code)
    if carrier is None:
        raise ValidationFailed(f"Unknown carrier {code!r}; one of {', '.join(CARRIERS)}.",
                               field="carrier", code="UNKNOWN_CARRIER")
    return carrier


def carrier_by_provider_id(provider_id: str) -> Carrier:
    for carrier in CARRIERS.values():
        if provider_id in (carrier.info.provider_id, carrier.info.code):
            return carrier
    raise ValidationFailed("Unknown shipping provider.", field="shipping_provider_id",
                           code="UNKNOWN_CARRIER")

