"""The return and cancellation state machines: one table of allowed moves each.

Status names are TikTok Shop's (return_refund 202309), so the seller API maps them as is.

Returns::

    RETURN_OR_REFUND_REQUEST_PENDING  -> AWAITING_BUYER_SHIP        seller approves a return
                                      -> RETURN_OR_REFUND_REQUEST_SUCCESS   approves a refund
                                      -> RETURN_OR_REFUND_REQUEST_REJECT    seller rejects
                                      -> RETURN_OR_REFUND_REQUEST_CANCEL    buyer withdraws
    AWAITING_BUYER_SHIP               -> BUYER_SHIPPED_ITEM | RETURN_OR_REFUND_REQUEST_CANCEL
    BUYER_SHIPPED_ITEM                -> RETURN_OR_REFUND_REQUEST_SUCCESS   receipt confirmed
                                      -> REJECT_RECEIVE_PACKAGE             package refused
    RETURN_OR_REFUND_REQUEST_REJECT   -> AWAITING_BUYER_SHIP | ..._SUCCESS  operator sides with
    REJECT_RECEIVE_PACKAGE            -> RETURN_OR_REFUND_REQUEST_SUCCESS   the buyer
    RETURN_OR_REFUND_REQUEST_SUCCESS  -> RETURN_OR_REFUND_REQUEST_COMPLETE  refund paid

Cancellations (a paid order cancelled before shipment is refunded at once)::

    CANCELLATION_REQUEST_SUCCESS -> CANCELLATION_REQUEST_COMPLETE  refund paid
"""

from __future__ import annotations

PENDING = "RETURN_OR_REFUND_REQUEST_PENDING"
AWAITING_BUYER_SHIP = "AWAITING_BUYER_SHIP"
BUYER_SHIPPED_ITEM = "BUYER_SHIPPED_ITEM"
REJECT = "RETURN_OR_REFUND_REQUEST_REJECT"
REJECT_RECEIVE_PACKAGE = "REJECT_RECEIVE_PACKAGE"
SUCCESS = "RETURN_OR_REFUND_REQUEST_SUCCESS"
CANCEL = "RETURN_OR_REFUND_REQUEST_CANCEL"
COMPLETE = "RETURN_OR_REFUND_REQUEST_COMPLETE"

RETURN_ALLOWED: dict[str, frozenset[str]] = {
    PENDING: frozenset({AWAITING_BUYER_SHIP, SUCCESS, REJECT, CANCEL}),
    AWAITING_BUYER_SHIP: frozenset({BUYER_SHIPPED_ITEM, CANCEL}),
    BUYER_SHIPPED_ITEM: frozenset({SUCCESS, REJECT_RECEIVE_PACKAGE}),
    REJECT: frozenset({AWAITING_BUYER_SHIP, SUCCESS}),
    REJECT_RECEIVE_PACKAGE: frozenset({SUCCESS}),
    SUCCESS: frozenset({COMPLETE}),
    COMPLETE: frozenset(),
    CANCEL: frozenset(),
}
RETURN_STATUSES = tuple(RETURN_ALLOWED)
REJECTED = frozenset({REJECT, REJECT_RECEIVE_PACKAGE})
BUYER_CANCELLABLE = frozenset({PENDING, AWAITING_BUYER_SHIP})
RETURN_TYPES = ("REFUND", "RETURN_AND_REFUND")
API_TYPES = {"REFUND_ONLY": "REFUND", "RETURN_AND_REFUND": "RETURN_AND_REFUND"}
ARBITRATION_STATUSES = ("IN_PROGRESS", "SUPPORT_BUYER", "SUPPORT_SELLER")
OUTCOMES = ("refunded", "rejected", "cancelled")

CANCEL_SUCCESS = "CANCELLATION_REQUEST_SUCCESS"
CANCEL_COMPLETE = "CANCELLATION_REQUEST_COMPLETE"
CANCEL_ALLOWED: dict[str, frozenset[str]] = {
    "CANCELLATION_REQUEST_PENDING": frozenset({CANCEL_SUCCESS, "CANCELLATION_REQUEST_CANCEL"}),
    CANCEL_SUCCESS: frozenset({CANCEL_COMPLETE}),
    CANCEL_COMPLETE: frozenset(),
    "CANCELLATION_REQUEST_CANCEL": frozenset(),
}
CANCEL_STATUSES = tuple(CANCEL_ALLOWED)


def can_move(current: str, target: str) -> bool:
    return target in RETURN_ALLOWED.get(current, frozenset())


def can_move_cancellation(current: str, target: str) -> bool:
    return target in CANCEL_ALLOWED.get(current, frozenset())
