"""Concurrent requests on PostgreSQL: units are never returned twice, one decision wins."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from clipcart.aftersales import service
from clipcart.aftersales.models import LineClaim
from clipcart.db import transaction
from clipcart.errors import DomainError
from tests.aftersales_support import ask, delivered_order, refunds_of
from tests.checkout_support import buyer, listing
from tests.payments_helpers import psp  # noqa: F401

pytestmark = pytest.mark.usefixtures("psp")


def _race(calls: list[Callable[[Session], object]]) -> Counter[str]:
    """Run every call in its own transaction, all released at once; their outcomes."""
    go = threading.Barrier(len(calls))

    def run(call: Callable[[Session], object]) -> str:
        go.wait()
        try:
            with transaction() as session:
                call(session)
            return "ok"
        except DomainError as exc:
            return exc.code

    with ThreadPoolExecutor(len(calls)) as pool:
        return Counter(pool.map(run, calls))


def _skip_on_sqlite(is_postgres: bool) -> None:
    if not is_postgres:
        pytest.skip("real concurrent writers need PostgreSQL; SQLite serializes them")


def test_eight_requests_at_once_never_return_more_units_than_bought(client, db, frozen_clock,
                                                                    is_postgres):
    _skip_on_sqlite(is_postgres)
    item = listing(client, price="9.99", stock=5)
    who = buyer(client)
    order = delivered_order(client, who, frozen_clock, [(item.sku_ids[0], 3)])
    line_id = int(order["lines"][0]["id"])

    def one_unit(session: Session) -> object:
        return service.request_return(session, buyer_user_id=who.user_id,
                                      order_id=int(order["id"]), return_type="REFUND",
                                      lines=[(line_id, 1)], reason="damaged")

    outcomes = _race([one_unit] * 8)
    assert outcomes == Counter({"ok": 3, "QUANTITY_NOT_RETURNABLE": 5})
    with db.sessions() as session:
        claim = session.execute(select(LineClaim).where(LineClaim.order_line_id == line_id)
                                ).scalar_one()
        assert (claim.claimed, claim.quantity) == (3, 3)
    mine = client.get("/api/v1/returns", headers=who.headers).json()["returns"]
    # the three slices of the line add up to exactly its total
    assert sorted(r["refund"]["total"]["amount"] for r in mine) == ["9.99", "9.99", "9.99"]


def test_a_seller_approving_while_the_buyer_withdraws_makes_one_outcome(client, db,
                                                                        frozen_clock,
                                                                        is_postgres):
    _skip_on_sqlite(is_postgres)
    item = listing(client, price="9.99", stock=5)
    who = buyer(client)
    order = delivered_order(client, who, frozen_clock, [(item.sku_ids[0], 1)])
    ret_id = int(ask(client, who, order).json()["id"])
    outcomes = _race([
        lambda s: service.approve(s, item.seller.shop_id, ret_id, actor="seller:1"),
        lambda s: service.cancel(s, who.user_id, ret_id),
    ])
    assert outcomes["ok"] == 1 and outcomes["RETURN_STATE_CHANGED"] == 1
    status = client.get(f"/api/v1/returns/{ret_id}", headers=who.headers).json()["status"]
    refunded = refunds_of(db, order["id"])
    if status == "RETURN_OR_REFUND_REQUEST_CANCEL":
        assert refunded == []
    else:
        assert status == "RETURN_OR_REFUND_REQUEST_SUCCESS" and len(refunded) == 1
