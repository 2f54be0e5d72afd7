"""Booking the item's way back to the seller.

Without a carrier booking the buyer types the carrier and tracking number; the seller's
receipt timer then starts when the buyer reports the parcel sent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from clipcart import clock
from clipcart.aftersales.models import ReturnRequest
from clipcart.errors import ValidationFailed
from clipcart.markets import get_markets

_TRACKING = re.compile(r"^[A-Za-z0-9-]{4,60}$")
_CARRIER = re.compile(r"^[A-Za-z0-9 ._-]{2,40}$")


@dataclass(frozen=True)
class BookedReturn:
    shipment_id: int | None
    tracking_number: str
    carrier_code: str
    receipt_due_at: datetime | None  # None: the timer starts when the carrier delivers


def book_return(session: Session, req: ReturnRequest, *, carrier_code: str | None,
                tracking_number: str | None) -> BookedReturn:
    carrier = (carrier_code or "").strip()
    tracking = (tracking_number or "").strip()
    if not _CARRIER.match(carrier):
        raise ValidationFailed("Name the carrier (2 to 40 letters or digits).",
                               field="carrier_code")
    if not _TRACKING.match(tracking):
        raise ValidationFailed("A tracking number is 4 to 60 letters, digits or dashes.",
                               field="tracking_number")
    from datetime import timedelta

    days = float(get_markets().rule("seller_receipt_confirm_days"))
    return BookedReturn(None, tracking, carrier, clock.now() + timedelta(days=days))
