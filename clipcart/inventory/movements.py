"""The stock movement log: every change of on-hand or reserved units, append-only."""

from __future__ import annotations

from sqlalchemy.orm import Session

from clipcart import clock
from clipcart.ids import new_id
from clipcart.inventory.models import StockMovement

MAX_UNITS = 1_000_000_000  # per stock row; far above any real warehouse, far below BIGINT
# Reasons a person or a seller's tool may give for changing on-hand stock by hand.
MANUAL_REASONS = frozenset({"manual_set", "adjustment", "import", "csv_upload", "api",
                            "return_restock", "correction", "damaged", "lost", "found"})
# Reasons written by reservations; never given by hand.
RESERVATION_REASONS = frozenset({"reservation", "reservation_release", "sale"})
REASON_LABELS = {
    "manual_set": "Counted", "adjustment": "Adjusted", "import": "Catalog import",
    "csv_upload": "CSV upload", "api": "Seller API", "return_restock": "Return restocked",
    "correction": "Correction", "damaged": "Damaged", "lost": "Lost", "found": "Found",
    "reservation": "Reserved at checkout", "reservation_release": "Reservation released",
    "sale": "Sold",
}


def record_movement(session: Session, *, shop_id: int, sku_id: int, warehouse_id: int,
                    on_hand_delta: int, reserved_delta: int, reason: str,
                    actor_user_id: int | None = None, note: str = "",
                    reference: str | None = None) -> None:
    session.add(StockMovement(id=new_id(), sku_id=sku_id, warehouse_id=warehouse_id,
                              shop_id=shop_id, on_hand_delta=on_hand_delta,
                              reserved_delta=reserved_delta, reason=reason,
                              note=(note or "")[:500], actor_user_id=actor_user_id,
                              reference=reference, created_at=clock.now()))
