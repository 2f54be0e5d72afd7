"""The package state machine (TikTok Shop package statuses) and how packages move an order."""

from __future__ import annotations

PACKAGE_ALLOWED: dict[str, frozenset[str]] = {
    "PROCESSING": frozenset({"FULFILLING", "CANCELLED"}),
    "FULFILLING": frozenset({"FULFILLING", "COMPLETED", "CANCELLED"}),  # tracking updates
    "COMPLETED": frozenset(),
    "CANCELLED": frozenset(),
}
# Order statuses in which packages can still be shipped.
SHIPPABLE_ORDER = frozenset({"AWAITING_SHIPMENT", "PARTIALLY_SHIPPING"})
# The order's shipping stages in the order they happen.
ORDER_STAGES = ("AWAITING_SHIPMENT", "PARTIALLY_SHIPPING", "AWAITING_COLLECTION", "IN_TRANSIT",
                "DELIVERED")
TRACKING_LABELS = {"COLLECTED": "Collected by the carrier", "IN_TRANSIT": "In transit",
                   "OUT_FOR_DELIVERY": "Out for delivery",
                   "FAILED_DELIVERY": "Delivery attempt failed", "DELIVERED": "Delivered"}
PACKAGE_LABELS = {"PROCESSING": "To ship", "FULFILLING": "Shipped", "COMPLETED": "Delivered",
                  "CANCELLED": "Cancelled"}


def can_move_package(current: str, target: str) -> bool:
    return target in PACKAGE_ALLOWED.get(current, frozenset())


def order_target(package_states: list[tuple[str, str | None]]) -> str | None:
    """The order status that live packages [(status, tracking_status)] call for, or None
    when nothing has shipped yet."""
    live = [(s, t) for s, t in package_states if s != "CANCELLED"]
    shipped = [(s, t) for s, t in live if s in ("FULFILLING", "COMPLETED")]
    if not shipped:
        return None
    if len(shipped) < len(live):
        return "PARTIALLY_SHIPPING"
    if all(s == "COMPLETED" for s, _ in shipped):
        return "DELIVERED"
    if all(s == "COMPLETED" or t is not None for s, t in shipped):
        return "IN_TRANSIT"
    return "AWAITING_COLLECTION"
