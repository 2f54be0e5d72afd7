"""Property: any sequence of checkout, pay, cancel and expire keeps the stock and the
books closed: on hand = initial - units of live paid orders; reserved = units of unpaid
orders; escrow = what live paid orders cost; every ledger invariant holds."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from clipcart.events import drain
from clipcart.inventory.jobs import release_expired_now
from clipcart.orders.models import Order, OrderLine
from clipcart.orders.transitions import PAID_STATUSES
from tests.checkout_support import add, balance, buyer, check_out, invariants, listing, pay, stock
from tests.payments_helpers import DECLINED, SUCCEEDS, psp  # noqa: F401

pytestmark = pytest.mark.usefixtures("psp")
UNITS = 6

actions = st.lists(st.one_of(
    st.tuples(st.just("checkout"), st.integers(1, 3)),
    st.tuples(st.just("pay"), st.sampled_from([SUCCEEDS, SUCCEEDS, DECLINED])),
    st.tuples(st.just("cancel"), st.integers(0, 5)),
    st.tuples(st.just("expire"), st.just(0)),
), min_size=1, max_size=7)


def _units(db: Any, sku_id: int, statuses: frozenset[str]) -> int:
    with db.sessions() as session:
        return int(session.execute(
            select(func.coalesce(func.sum(OrderLine.quantity), 0))
            .join(Order, Order.id == OrderLine.order_id)
            .where(OrderLine.sku_id == sku_id, Order.status.in_(statuses))).scalar_one())


def _live_paid_total(db: Any) -> int:
    with db.sessions() as session:
        return int(session.execute(select(func.coalesce(func.sum(Order.total_minor), 0))
                                   .where(Order.status.in_(PAID_STATUSES - {"CANCELLED"}))
                                   ).scalar_one())


@settings(max_examples=8, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(steps=actions)
def test_any_sequence_keeps_stock_and_books_closed(client, db, frozen_clock, steps):
    item = listing(client, price="9.99", stock=UNITS)
    sku = item.sku_ids[0]
    who = buyer(client)
    checkouts: list[str] = []
    for action, arg in steps:
        if action == "checkout":
            add(client, who, sku, arg)
            made = check_out(client, who)
            assert made.status_code in (201, 409), made.text
            if made.status_code == 201:
                checkouts.append(made.json()["id"])
            else:
                assert made.json()["code"] == "OUT_OF_STOCK"
        elif action == "pay" and checkouts:
            answer = pay(client, who, checkouts[-1], arg)
            assert answer.status_code in (200, 402, 409), answer.text
        elif action == "cancel":
            orders = client.get("/api/v1/orders", headers=who.headers).json()["orders"]
            if orders:
                order = orders[arg % len(orders)]
                answer = client.post(f"/api/v1/orders/{order['id']}/cancel",
                                     json={"reason": "test"}, headers=who.headers)
                assert answer.status_code in (200, 409), answer.text
        elif action == "expire":
            frozen_clock.advance(minutes=31)
            release_expired_now()
            drain(db)
        on_hand, reserved = stock(db, sku)
        live_paid = _units(db, sku, PAID_STATUSES - {"CANCELLED"})
        assert on_hand == UNITS - live_paid
        assert reserved == _units(db, sku, frozenset({"UNPAID"}))
        assert 0 <= reserved <= on_hand
        assert balance(db, "escrow") == _live_paid_total(db)
        assert invariants(db) == []
