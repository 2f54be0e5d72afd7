"""The order state machine: one table of allowed moves (TikTok Shop's order statuses)."""

from __future__ import annotations

ALLOWED: dict[str, frozenset[str]] = {
    "UNPAID": frozenset({"ON_HOLD", "CANCELLED"}),
    "ON_HOLD": frozenset({"AWAITING_SHIPMENT", "CANCELLED"}),
    "AWAITING_SHIPMENT": frozenset({"PARTIALLY_SHIPPING", "AWAITING_COLLECTION", "IN_TRANSIT",
                                    "CANCELLED"}),
    "PARTIALLY_SHIPPING": frozenset({"AWAITING_COLLECTION", "IN_TRANSIT", "CANCELLED"}),
    "AWAITING_COLLECTION": frozenset({"IN_TRANSIT", "CANCELLED"}),
    "IN_TRANSIT": frozenset({"DELIVERED"}),
    "DELIVERED": frozenset({"COMPLETED"}),
    "COMPLETED": frozenset(),
    "CANCELLED": frozenset(),
}

BUYER_CANCELLABLE = frozenset({"UNPAID", "ON_HOLD", "AWAITING_SHIPMENT"})
SELLER_CANCELLABLE = frozenset({"ON_HOLD", "AWAITING_SHIPMENT"})
PAID_STATUSES = frozenset(ALLOWED) - {"UNPAID"}


def can_move(current: str, target: str) -> bool:
    return target in ALLOWED.get(current, frozenset())
