"""The LIVE room state machine: one table of allowed moves (DESIGN rule 6)."""

from __future__ import annotations

ALLOWED: dict[str, frozenset[str]] = {
    "SCHEDULED": frozenset({"LIVE", "CANCELLED"}),
    "LIVE": frozenset({"ENDED"}),
    "ENDED": frozenset(),
    "CANCELLED": frozenset(),
}


def can_move(current: str, target: str) -> bool:
    return target in ALLOWED.get(current, frozenset())
