"""The payment intent state machine: one table of allowed transitions.

    REQUIRES_PAYMENT -> REQUIRES_ACTION -> AUTHORIZED -> CAPTURED -> PARTIALLY_REFUNDED
                                                                  -> REFUNDED
    and FAILED (before any money is held) or VOIDED (an authorization cancelled).
"""

from __future__ import annotations

from collections import deque

REQUIRES_PAYMENT = "REQUIRES_PAYMENT"
REQUIRES_ACTION = "REQUIRES_ACTION"
AUTHORIZED = "AUTHORIZED"
CAPTURED = "CAPTURED"
PARTIALLY_REFUNDED = "PARTIALLY_REFUNDED"
REFUNDED = "REFUNDED"
FAILED = "FAILED"
VOIDED = "VOIDED"

TRANSITIONS: dict[str, frozenset[str]] = {
    REQUIRES_PAYMENT: frozenset({REQUIRES_ACTION, AUTHORIZED, CAPTURED, FAILED}),
    REQUIRES_ACTION: frozenset({AUTHORIZED, CAPTURED, FAILED, VOIDED}),
    AUTHORIZED: frozenset({CAPTURED, VOIDED}),
    CAPTURED: frozenset({PARTIALLY_REFUNDED, REFUNDED}),
    PARTIALLY_REFUNDED: frozenset({PARTIALLY_REFUNDED, REFUNDED}),
}
PAID = frozenset({AUTHORIZED, CAPTURED, PARTIALLY_REFUNDED, REFUNDED})
CAPTURED_STATES = frozenset({CAPTURED, PARTIALLY_REFUNDED, REFUNDED})
REFUNDABLE = frozenset({CAPTURED, PARTIALLY_REFUNDED})
DEAD = frozenset({FAILED, VOIDED})  # never took money; the reference is free again


def allowed(from_status: str, to_status: str) -> bool:
    return to_status in TRANSITIONS.get(from_status, frozenset())


def path_to(current: str, target: str, *, manual_capture: bool) -> list[str] | None:
    """The steps from ``current`` forward to ``target``: [] when there, None when behind.

    A snapshot from the provider may skip states the platform never saw (a lost webhook);
    walking the path keeps one history row and one event per step. With manual capture
    the walk passes through AUTHORIZED, since the money was held before it was taken.
    """
    if current == target:
        return []
    seen = {current}
    queue: deque[tuple[str, list[str]]] = deque([(current, [])])
    while queue:
        state, steps = queue.popleft()
        for nxt in sorted(TRANSITIONS.get(state, frozenset())):
            if manual_capture and nxt == CAPTURED and state != AUTHORIZED:
                continue
            if nxt in seen:
                continue
            if nxt == target:
                return [*steps, nxt]
            seen.add(nxt)
            queue.append((nxt, [*steps, nxt]))
    return None
