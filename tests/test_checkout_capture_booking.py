"""The capture's ledger posting leaves the paying request for the ``payments.captured``
event: the buyer's answer, orders and stock are final at once; escrow follows the event,
and a refund that comes first books the capture itself."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from clipcart import events
from clipcart.checkout import refunds
from clipcart.checkout.models import CheckoutRefund
from clipcart.events import drain
from clipcart.money import Money
from tests.checkout_support import add, balance, buyer, check_out, invariants, listing, pay, stock
from tests.payments_helpers import outbox, psp  # noqa: F401

pytestmark = pytest.mark.usefixtures("psp")

TOTAL = 2 * 999 + 299  # two units at 9.99 and the shop's flat shipping


@pytest.fixture
def outbox_waits(monkeypatch: pytest.MonkeyPatch) -> None:
    """Commits no longer kick the outbox inline: events wait for ``drain``, as they wait
    for the worker in production."""
    monkeypatch.setattr(events, "_listeners", [])


def _paid_checkout(client):  # type: ignore[no-untyped-def]
    item = listing(client, stock=3)
    who = buyer(client)
    add(client, who, item.sku_ids[0], 2)
    checkout_id = check_out(client, who).json()["id"]
    answer = pay(client, who, checkout_id)
    assert answer.status_code == 200 and answer.json()["status"] == "PAID", answer.text
    return item, who, checkout_id


def test_the_paid_answer_is_final_before_the_event_books_escrow(client, db, outbox_waits):
    item, who, checkout_id = _paid_checkout(client)
    got = client.get(f"/api/v1/checkouts/{checkout_id}", headers=who.headers).json()
    assert got["status"] == "PAID" and got["orders"][0]["status"] == "ON_HOLD"
    assert stock(db, item.sku_ids[0]) == (1, 0)  # sold in the paying request
    assert balance(db, "escrow") == 0  # not booked yet: the event does it
    assert len(outbox(db, "payments.captured")) == 1
    drain(db)
    assert balance(db, "escrow") == TOTAL
    drain(db)  # nothing left to do, and a repeat of the handler would book nothing
    assert balance(db, "escrow") == TOTAL and invariants(db) == []


def test_a_refund_scheduled_before_the_event_books_the_capture_first(client, db,
                                                                    outbox_waits):
    _item, _who, checkout_id = _paid_checkout(client)
    with db.transaction() as session:
        refunds.schedule(session, checkout_id=int(checkout_id), order_id=None,
                         amount=Money(TOTAL, "GBP"), key="test:refund-first",
                         reason="a refund ahead of the event")
    # the refund ran after that commit: escrow received the capture and paid it back
    with db.sessions() as session:
        done = session.execute(select(CheckoutRefund.status)
                               .where(CheckoutRefund.key == "test:refund-first")).scalar_one()
    assert done == "DONE"
    assert balance(db, "escrow") == 0 and balance(db, "external:psp") == 0
    assert invariants(db) == []
    drain(db)  # the event's booking finds the capture booked: nothing moves twice
    assert balance(db, "escrow") == 0 and balance(db, "external:psp") == 0
    assert invariants(db) == []
