"""A LIVE flash sale under load (PostgreSQL, threads) and the race for its last unit.

Each buyer's checkout runs in its own transaction on its own thread, as the API's thread
pool runs them. SQLite has one writer per file, so these run on PostgreSQL only.
"""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import func, select

from clipcart.checkout import service as checkout
from clipcart.db import transaction
from clipcart.errors import Conflict
from clipcart.live import flash
from clipcart.live.models import FlashSaleClaim, FlashSaleOrder
from clipcart.orders.models import Order, OrderLine
from tests.checkout_support import ADDRESSES, Buyer, add, buyer, stock
from tests.live_support import past_countdown, room_on_air, sale_row, start_sale
from tests.race_condition import in_thread, once, run_before

BUYERS, UNITS, THREADS = 200, 30, 16
ONE_WRITER = ("SQLite serialises writers per file; concurrent checkouts need PostgreSQL")


def _check_out(who: Buyer) -> str:
    """One checkout from the buyer's cart: the unit price paid, or the refusal's code."""
    try:
        with transaction() as session:
            detail = checkout.create_checkout(session, buyer_user_id=who.user_id,
                                              buyer_country="GB",
                                              shipping_address=ADDRESSES["GB"])
            [price] = {line.unit_price_minor for lines in detail.lines.values()
                       for line in lines}
            return str(price)
    except Conflict as refused:
        return refused.code


def _deal_units(db: Any, sku_id: int, price_minor: int) -> int:
    with db.sessions() as session:
        return int(session.execute(
            select(func.coalesce(func.sum(OrderLine.quantity), 0))
            .where(OrderLine.sku_id == sku_id, OrderLine.unit_price_minor == price_minor))
            .scalar_one())


def test_200_buyers_from_the_room_get_exactly_30_units_at_the_deal_price(client, db,
                                                                         frozen_clock,
                                                                         is_postgres):
    if not is_postgres:
        pytest.skip(ONE_WRITER)
    made = room_on_air(client, price="9.99", stock=BUYERS)
    sale_id = start_sale(made, deal="5.00", stock=UNITS, limit=1)
    past_countdown(frozen_clock)
    buyers = [buyer(client) for _ in range(BUYERS)]
    for who in buyers:
        assert add(client, who, made.sku, 1, source=made.source).status_code == 200
    go = threading.Barrier(THREADS)

    def run(index: int) -> str:
        if index < THREADS:
            go.wait()
        return _check_out(buyers[index])

    with ThreadPoolExecutor(THREADS) as pool:
        outcomes = Counter(pool.map(run, range(BUYERS)))
    assert outcomes["500"] == UNITS, outcomes
    assert set(outcomes) <= {"500", "999", "FLASH_SALE_SOLD_OUT"}, outcomes
    assert sum(outcomes.values()) == BUYERS
    assert _deal_units(db, made.sku, 500) == UNITS
    assert sale_row(sale_id).stock_left == 0
    with db.sessions() as session:
        claimed = session.execute(select(func.sum(FlashSaleClaim.quantity))
                                  .where(FlashSaleClaim.sale_id == sale_id)).scalar_one()
        taken = session.execute(select(func.count()).select_from(FlashSaleOrder)).scalar_one()
    assert (claimed, taken) == (UNITS, UNITS)
    # every checkout that was not refused holds its unit of the shelf's stock
    assert stock(db, made.sku) == (BUYERS, outcomes["500"] + outcomes["999"])


def test_one_buyer_checking_out_ten_times_at_once_gets_only_the_limit(client, db,
                                                                      frozen_clock,
                                                                      is_postgres):
    if not is_postgres:
        pytest.skip(ONE_WRITER)
    made = room_on_air(client, price="9.99", stock=50)
    sale_id = start_sale(made, deal="5.00", stock=UNITS, limit=2)
    past_countdown(frozen_clock)
    who = buyer(client)
    assert add(client, who, made.sku, 1, source=made.source).status_code == 200
    go = threading.Barrier(10)

    def run(_: int) -> str:
        go.wait()
        return _check_out(who)

    with ThreadPoolExecutor(10) as pool:
        outcomes = Counter(pool.map(run, range(10)))
    assert outcomes == {"500": 2, "FLASH_SALE_LIMIT": 8}, outcomes
    with db.sessions() as session:
        assert flash.claimed(session, sale_id, who.user_id) == 2
    assert sale_row(sale_id).stock_left == UNITS - 2


def test_the_buyer_who_loses_the_last_unit_is_refused_and_nothing_is_left_behind(
        client, db, frozen_clock, is_postgres):
    if not is_postgres:
        pytest.skip(ONE_WRITER)
    made = room_on_air(client, price="9.99", stock=10)
    sale_id = start_sale(made, deal="5.00", stock=1, limit=1)
    past_countdown(frozen_clock)
    first, second = buyer(client), buyer(client)
    for who in (first, second):
        assert add(client, who, made.sku, 1, source=made.source).status_code == 200
    competitor: dict[str, str] = {}

    def second_takes_the_last_unit() -> None:
        competitor["outcome"] = in_thread(lambda: _check_out(second))

    # the first buyer has been granted the deal (one unit left) but has written nothing yet
    with run_before("clipcart.checkout.service._open", once(second_takes_the_last_unit)):
        outcome = _check_out(first)
    assert competitor["outcome"] == "500"
    assert outcome == "FLASH_SALE_SOLD_OUT"
    assert sale_row(sale_id).stock_left == 0
    with db.sessions() as session:
        mine = session.execute(select(func.count()).select_from(Order)
                               .where(Order.buyer_user_id == first.user_id)).scalar_one()
    assert mine == 0
    assert stock(db, made.sku) == (10, 1)
    assert _check_out(first) == "999"  # a retry pays the usual price
