"""A refund and the settlement of the same order at the same moment never count twice:
both serialise on the order's settlement row, whichever comes first."""

from __future__ import annotations

import threading
import time

import pytest

from clipcart.finance import service
from clipcart.money import Money
from tests.checkout_support import balance, buyer, invariants, listing
from tests.finance_support import books, deliver, paid_order, settlement_row
from tests.payments_helpers import psp  # noqa: F401
from tests.race_condition import once, run_after

pytestmark = pytest.mark.usefixtures("psp")


def _book(db, bought, key: str, minor: int) -> None:  # type: ignore[no-untyped-def]
    with db.transaction() as session:
        service.book_refund(session, key=key, order_id=bought.order_id,
                            checkout_id=bought.checkout_id,
                            amount=Money(minor, bought.currency), memo="race")


def _start(fn) -> threading.Thread:  # type: ignore[no-untyped-def]
    """Start the competitor and give it time to reach (and wait on) our lock."""
    worker = threading.Thread(target=fn)
    worker.start()
    time.sleep(0.5)
    return worker


def _due_order(client, db, frozen_clock):  # type: ignore[no-untyped-def]
    item = listing(client, price="10.00", list_price=None)
    bought = paid_order(client, buyer(client), item)
    deliver(db, frozen_clock, bought.order_id)
    frozen_clock.advance(days=7)
    return bought


def test_a_settlement_arriving_while_a_refund_holds_the_order_settles_what_is_left(
        client, db, frozen_clock):
    bought = _due_order(client, db, frozen_clock)
    workers: list[threading.Thread] = []
    # our refund has locked the order's row; the settlement job starts right then
    competitor = once(lambda: workers.append(_start(lambda: service.settle_due(db))))
    with run_after("clipcart.finance.settlement.lock_row", competitor):
        _book(db, bought, "race:refund", 500)
    workers[0].join(30)
    row = settlement_row(db, bought.order_id)
    assert row.status == "SETTLED" and row.refunded_minor == 500
    assert balance(db, "escrow") == 0
    assert balance(db, f"seller:{bought.shop_id}:available") == 799 - (75 - 29)
    assert books(db, bought).seller == 753
    assert invariants(db) == []


def test_a_refund_arriving_while_settlement_holds_the_order_is_clawed_back(
        client, db, frozen_clock):
    bought = _due_order(client, db, frozen_clock)
    workers: list[threading.Thread] = []
    competitor = once(lambda: workers.append(
        _start(lambda: _book(db, bought, "race:refund", 500))))
    # settlement has claimed the row (OPEN -> SETTLED, not committed) when the refund comes
    with run_after("clipcart.finance.settlement._claim", competitor):
        assert service.settle_due(db) == 1
    workers[0].join(30)
    row = settlement_row(db, bought.order_id)
    assert (row.status, row.refunded_minor, row.clawed_back_minor) == ("SETTLED", 500, 471)
    assert balance(db, "escrow") == 0
    assert balance(db, f"seller:{bought.shop_id}:available") == 1224 - 471
    assert balance(db, "platform:fees") == 75 - 29
    assert invariants(db) == []
