"""``clipcart demo`` places real orders: paid through the sandbox, attributed, idempotent."""

from __future__ import annotations

from sqlalchemy import func, select

from clipcart.db import transaction
from clipcart.demo import DEMO_PASSWORD, seed
from clipcart.demo_orders import PURCHASES, seed_orders
from clipcart.orders.models import Order, OrderLine
from tests.checkout_support import invariants


def test_demo_buyers_have_paid_attributed_orders_and_a_second_run_adds_none(db):
    list(seed())
    said = list(seed_orders(DEMO_PASSWORD))
    assert len(said) == len(PURCHASES) and all(": PAID, " in line for line in said), said
    with transaction() as session:
        by_market = dict(session.execute(select(Order.market, func.count())
                                         .group_by(Order.market)).all())
        statuses = set(session.scalars(select(Order.status)))
        sources = set(session.scalars(select(OrderLine.source_type)))
    assert by_market == {p.market: 1 for p in PURCHASES}
    assert statuses == {"ON_HOLD"}
    assert "video" in sources
    assert invariants(db) == []

    again = list(seed_orders(DEMO_PASSWORD))
    assert all("already there" in line for line in again)
    with transaction() as session:
        assert session.scalar(select(func.count()).select_from(Order)) == len(PURCHASES)
