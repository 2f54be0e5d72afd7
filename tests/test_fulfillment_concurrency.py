"""Shipping and scans racing themselves: one winner, nothing done twice (real threads; on
PostgreSQL they really overlap, on SQLite the writers queue)."""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import func, select

from clipcart.carriers import service as carriers
from clipcart.carriers.config import get_carrier_settings
from clipcart.carriers.interface import SIGNATURE_HEADER, sign
from clipcart.carriers.models import Shipment
from clipcart.db import transaction
from clipcart.errors import Conflict
from clipcart.orders import packages as pk
from tests.fulfillment_support import emitted, order_status, package_ids, ready_order
from tests.payments_helpers import psp  # noqa: F401

pytestmark = pytest.mark.usefixtures("psp")


def _together(n: int, work: Any) -> list[str]:
    go = threading.Barrier(n)

    def one(i: int) -> str:
        go.wait()
        try:
            work(i)
            return "ok"
        except Conflict as exc:
            return exc.code

    with ThreadPoolExecutor(n) as pool:
        return sorted(pool.map(one, range(n)))


def test_a_package_shipped_twice_at_once_ships_once(client, db, frozen_clock):
    ready = ready_order(client, frozen_clock)
    [package_id] = package_ids(db, ready.order_id)

    def ship(i: int) -> None:
        with transaction() as session:
            if i % 2:
                pk.buy_label(session, shop_id=ready.shop_id, package_id=package_id,
                             actor=ready.actor)
            else:
                pk.ship_package(session, shop_id=ready.shop_id, package_id=package_id,
                                actor=ready.actor, carrier_code="SIMX",
                                tracking_number=f"CX-RACE-{i}")

    outcomes = _together(4, ship)
    assert outcomes.count("ok") == 1 and len(outcomes) == 4
    assert set(outcomes) - {"ok"} <= {"PACKAGE_STATE_CHANGED", "ORDER_NOT_READY_TO_SHIP"}
    with db.sessions() as session:
        assert session.execute(select(func.count()).select_from(Shipment)).scalar_one() == 1
    assert order_status(db, ready.order_id) == "AWAITING_COLLECTION"
    assert len(emitted(db, "orders.package_updated")) == 1


def test_the_same_scan_delivered_at_once_is_applied_once(client, db, frozen_clock):
    with transaction() as session:
        shipment = carriers.book_shipment(session, purpose="return", reference="return:1",
                                          market="GB")
        number = shipment.tracking_number
    body = json.dumps({"id": "same", "carrier": "SIMX", "tracking_number": number,
                       "status": "COLLECTED",
                       "occurred_at": frozen_clock.current.isoformat()}).encode()
    headers = {SIGNATURE_HEADER: sign(get_carrier_settings().webhook_secret,
                                      int(frozen_clock.current.timestamp()), body)}
    outcomes: list[str] = []
    lock = threading.Lock()

    def deliver(_: int) -> None:
        outcome = carriers.receive_webhook(db, "SIMX", body, headers).outcome
        with lock:
            outcomes.append(outcome)

    assert _together(4, deliver) == ["ok"] * 4
    assert sorted(outcomes) == ["applied", "duplicate", "duplicate", "duplicate"]
    assert len(emitted(db, "carriers.tracking")) == 1
