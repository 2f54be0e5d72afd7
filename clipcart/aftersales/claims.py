"""Units of order lines held by return requests, and the refund each slice of units carries.

A request claims its units with one conditional UPDATE (``claimed + :n <= quantity``), so
two concurrent requests can never return more units than were bought (DESIGN rule 4).
The refund of ``n`` units of a line is a telescoping slice of the line's total, rounded
down to what the market charges, with the last unit taking the remainder: however a line is
split across requests, its slices add up to exactly the line's total.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from clipcart.aftersales.models import LineClaim, ReturnLine
from clipcart.db import upsert
from clipcart.errors import Conflict
from clipcart.markets import market
from clipcart.money import exponent
from clipcart.orders.models import OrderLine


def claim(session: Session, line: OrderLine, count: int) -> int:
    """Hold ``count`` units of ``line``; how many units were held before. 409 if too many."""
    session.execute(upsert(session, LineClaim).values(order_line_id=line.id, order_id=line.order_id,
                                             quantity=line.quantity, claimed=0)
                    .on_conflict_do_nothing(index_elements=["order_line_id"]))
    held = session.execute(
        update(LineClaim)
        .where(LineClaim.order_line_id == line.id, LineClaim.claimed + count <= LineClaim.quantity)
        .values(claimed=LineClaim.claimed + count)
        .returning(LineClaim.claimed).execution_options(synchronize_session=False)).first()
    if held is None:
        free = session.execute(select(LineClaim.quantity - LineClaim.claimed)
                               .where(LineClaim.order_line_id == line.id)).scalar_one()
        raise Conflict(f"Only {free} of {line.quantity} units of “{line.title}” can still be "
                       "returned.", code="QUANTITY_NOT_RETURNABLE",
                       extra={"line_id": str(line.id), "available": free})
    return int(held[0]) - count


def release(session: Session, lines: Sequence[ReturnLine]) -> None:
    """Give a closed request's units back, so the buyer may ask again."""
    for line in sorted(lines, key=lambda li: li.order_line_id):
        session.execute(update(LineClaim).where(LineClaim.order_line_id == line.order_line_id,
                                                LineClaim.claimed >= line.quantity)
                        .values(claimed=LineClaim.claimed - line.quantity)
                        .execution_options(synchronize_session=False))


def fully_claimed(session: Session, lines: Sequence[OrderLine]) -> bool:
    """True when every unit of every line is held by some request."""
    claims = dict(session.execute(select(LineClaim.order_line_id, LineClaim.claimed).where(
        LineClaim.order_line_id.in_([li.id for li in lines]))).all())
    return all(claims.get(li.id, 0) == li.quantity for li in lines)


def step_of(market_code: str, currency: str) -> int:
    """The smallest amount the market charges, in minor units (IDR: 100)."""
    return 10 ** max(exponent(currency) - market(market_code).price_digits, 0)


def slice_of(total: int, quantity: int, before: int, count: int, step: int) -> int:
    """The share of ``total`` carried by units ``before+1 .. before+count`` of ``quantity``."""

    def upto(units: int) -> int:
        if units >= quantity:
            return total
        return (total * units // (quantity * step)) * step

    return upto(before + count) - upto(before)
