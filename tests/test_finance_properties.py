"""Property: any sequence of deliver, refund, after-sales, settle and payout keeps the books
closed: for every order, buyer paid = seller net + platform fees + tax + refunds, to the
minor unit; the seller's balance is what its orders and payouts made it; escrow holds only
unsettled money; daily statements add up to the ledger; every ledger invariant holds."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from clipcart.errors import DomainError
from clipcart.finance import payouts, service, statements
from clipcart.finance.models import Settlement, Statement
from clipcart.ledger.accounts import seller_available
from clipcart.money import Money
from clipcart.shops.models import Shop
from tests.checkout_support import balance, buyer, invariants, listing
from tests.finance_support import Bought, aftersales, books, deliver, paid_order, refund
from tests.payments_helpers import psp  # noqa: F401

pytestmark = pytest.mark.usefixtures("psp")
ORDERS = 2

actions = st.lists(st.one_of(
    st.tuples(st.just("deliver"), st.integers(0, ORDERS - 1), st.just(0)),
    st.tuples(st.just("refund"), st.integers(0, ORDERS - 1), st.integers(1, 1400)),
    st.tuples(st.just("open"), st.integers(0, ORDERS - 1), st.just(0)),
    st.tuples(st.just("close"), st.integers(0, ORDERS - 1), st.just(0)),
    st.tuples(st.just("settle"), st.just(0), st.integers(0, 8)),
    st.tuples(st.just("payout"), st.just(0), st.integers(50, 2500)),
), min_size=1, max_size=8)


def _refunded(db: Any, order_id: int) -> int:
    with db.sessions() as session:
        row = session.execute(select(Settlement.refunded_minor)
                              .where(Settlement.order_id == order_id)).scalar_one_or_none()
    return int(row or 0)


def _settled(db: Any, order_id: int) -> bool:
    with db.sessions() as session:
        return session.execute(select(Settlement.status).where(
            Settlement.order_id == order_id)).scalar_one_or_none() == "SETTLED"


@settings(max_examples=6, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(steps=actions, market=st.sampled_from(["GB", "US"]))
def test_any_sequence_keeps_every_orders_books_closed(client, db, frozen_clock, steps, market):
    frozen_clock.current = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
    item = listing(client, market=market, price="10.00", list_price=None, stock=10)
    who = buyer(client, market)
    bought: list[Bought] = [paid_order(client, who, item, country=market)
                            for _ in range(ORDERS)]
    shop_id = bought[0].shop_id
    cur = bought[0].currency
    with db.transaction() as session:
        shop = session.get(Shop, shop_id)
        payouts.save_bank_account(session, shop, holder_name="Ada Lovelace",
                                  account_number="12345678", bank_name="Bank",
                                  auto_payout=False)
    delivered: set[int] = set()
    open_requests: dict[int, list[str]] = {}
    paid_out = 0
    for n, (action, index, arg) in enumerate(steps):
        order = bought[index]
        if action == "deliver" and index not in delivered:
            deliver(db, frozen_clock, order.order_id)
            delivered.add(index)
        elif action == "refund":
            left = order.total - _refunded(db, order.order_id)
            if left > 0:
                refund(db, order, min(arg, left))
        elif action == "open" and index in delivered:
            open_requests.setdefault(index, []).append(f"r{n}")
            aftersales(db, "opened", order, f"{order.order_id}-r{n}", type="REFUND_ONLY")
        elif action == "close" and open_requests.get(index):
            request = open_requests[index].pop()
            aftersales(db, "closed", order, f"{order.order_id}-{request}", outcome="CLOSED")
        elif action == "settle":
            frozen_clock.advance(days=arg)
            service.settle_due(db)
        elif action == "payout":
            with db.transaction() as session:
                shop = session.get(Shop, shop_id)
                try:
                    made = payouts.request_payout(session, shop, amount=Money(arg, cur),
                                                  key=f"p{n}")
                    payout_id = made.id
                except DomainError:
                    payout_id = None
            if payout_id is not None:
                assert payouts.run_payout(db, payout_id) == "PAID"
                paid_out += arg
        # then, after every step
        seller_total = 0
        for each in bought:
            result = books(db, each)
            if _settled(db, each.order_id):
                assert result.paid == (result.seller + result.fees + result.tax
                                       + result.refunds)
            else:  # still in escrow, less what was refunded from it
                assert (result.seller, result.fees, result.tax) == (0, 0, 0)
                assert result.refunds == _refunded(db, each.order_id)
            seller_total += result.seller
        assert balance(db, seller_available(shop_id), cur) == seller_total - paid_out
        with db.sessions() as session:
            unsettled = sum(r.order_total_minor - r.refunded_minor for r in session.execute(
                select(Settlement).where(Settlement.status == "OPEN",
                                         Settlement.currency == cur)).scalars())
        assert balance(db, "escrow", cur) == unsettled
        assert invariants(db) == []
    # and the day statements add up to the ledger
    frozen_clock.advance(days=2)
    with db.transaction() as session:
        statements.close_days(session)
        rows = session.execute(select(Statement).where(Statement.shop_id == shop_id)
                               .order_by(Statement.statement_date)).scalars().all()
        opening = 0
        for row in rows:
            assert row.opening_minor == opening
            assert row.closing_minor == row.opening_minor + row.settlement_minor
            assert row.settlement_minor == (row.revenue_minor + row.fee_minor + row.tax_minor
                                            + row.refund_minor + row.adjustment_minor
                                            + row.payout_minor)
            opening = row.closing_minor
    assert opening == balance(db, seller_available(shop_id), cur)
