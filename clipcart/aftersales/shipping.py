"""Booking the item's way back to the seller through the carriers context.

With no tracking number the platform buys a return label from the carrier (the default one
unless named); with one, the buyer's own parcel is registered with that carrier. Either way
the carrier reports scans as ``carriers.tracking`` events (purpose ``return``); the seller's
receipt timer starts when the parcel is DELIVERED (see events.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from clipcart.aftersales.models import ReturnRequest
from clipcart.carriers import service as carriers
from clipcart.errors import ValidationFailed


@dataclass(frozen=True)
class BookedReturn:
    shipment_id: int | None
    tracking_number: str
    carrier_code: str
    receipt_due_at: datetime | None  # None: the timer starts when the carrier delivers


def carrier_choices() -> list[tuple[str, str]]:
    """(code, name) of the carriers a buyer may ship with."""
    return [(code, name) for code, name, _ in carriers.carrier_choices()]


def book_return(session: Session, req: ReturnRequest, *, carrier_code: str | None,
                tracking_number: str | None) -> BookedReturn:
    carrier = (carrier_code or "").strip() or None
    tracking = (tracking_number or "").strip()
    reference = f"return:{req.id}"
    if tracking:
        if carrier is None:
            raise ValidationFailed("Name the carrier of this tracking number.",
                                   field="carrier_code")
        shipment = carriers.register_tracking(session, purpose="return", reference=reference,
                                              market=req.market, carrier_code=carrier,
                                              tracking_number=tracking)
    else:
        shipment = carriers.book_shipment(session, purpose="return", reference=reference,
                                          market=req.market, carrier_code=carrier)
    return BookedReturn(shipment.id, shipment.tracking_number, shipment.carrier_code, None)
