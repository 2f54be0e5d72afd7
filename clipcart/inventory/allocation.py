"""Which warehouses a reservation takes stock from: a strategy, chosen by the caller.

A strategy gets one SKU's candidate rows (locked, so their numbers are exact) and the
quantity wanted, and answers ``[(warehouse_id, units), ...]`` summing to the quantity, or
None when the SKU cannot be served. It only plans; ``reserve`` applies the plan with one
conditional UPDATE per row.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class StockCandidate:
    warehouse_id: int
    is_default: bool
    available: int


Allocation = list[tuple[int, int]]
AllocationStrategy = Callable[[int, Sequence[StockCandidate], int], Allocation | None]


def default_first(sku_id: int, candidates: Sequence[StockCandidate],
                  quantity: int) -> Allocation | None:
    """The default warehouse first, then the others by most units free (then oldest), so an
    order is split over as few warehouses as possible."""
    ordered = sorted((c for c in candidates if c.available > 0),
                     key=lambda c: (not c.is_default, -c.available, c.warehouse_id))
    plan: Allocation = []
    missing = quantity
    for candidate in ordered:
        take = min(candidate.available, missing)
        plan.append((candidate.warehouse_id, take))
        missing -= take
        if missing == 0:
            return plan
    return None


def single_warehouse(sku_id: int, candidates: Sequence[StockCandidate],
                     quantity: int) -> Allocation | None:
    """Never split a line: the default if it can serve it all, else the first that can."""
    ordered = sorted(candidates, key=lambda c: (not c.is_default, c.warehouse_id))
    for candidate in ordered:
        if candidate.available >= quantity:
            return [(candidate.warehouse_id, quantity)]
    return None
