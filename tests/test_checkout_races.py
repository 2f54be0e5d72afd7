"""Deterministic races and crash safety of payment (tests/race_condition.py hooks)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from litestar.testing import TestClient
from sqlalchemy import select

from clipcart.app import create_app
from clipcart.checkout import events as checkout_events
from clipcart.checkout import payment
from clipcart.events import Event, drain
from clipcart.ids import new_id
from clipcart.inventory.jobs import release_expired_now
from clipcart.orders.models import OrderHistory
from clipcart.payments import service as payments
from tests.checkout_support import add, balance, buyer, check_out, invariants, listing, pay, stock
from tests.payments_helpers import outbox, psp, tokenize  # noqa: F401
from tests.race_condition import once, run_before

pytestmark = pytest.mark.usefixtures("psp")


def _open_checkout(client, quantity=2, units=3):  # type: ignore[no-untyped-def]
    item = listing(client, stock=units)
    who = buyer(client)
    add(client, who, item.sku_ids[0], quantity)
    return item, who, check_out(client, who).json()["id"]


def _on_hold_rows(db, checkout_id):  # type: ignore[no-untyped-def]
    from clipcart.orders.models import Order

    with db.sessions() as session:
        return session.execute(
            select(OrderHistory.id).join(Order, Order.id == OrderHistory.order_id)
            .where(Order.checkout_id == int(checkout_id), OrderHistory.to_status == "ON_HOLD")
        ).all()


def test_expiry_that_lands_just_before_the_capture_refunds_the_buyer_in_full(
        client, db, frozen_clock):
    item, who, checkout_id = _open_checkout(client)

    def expire() -> None:
        frozen_clock.advance(minutes=31)
        assert release_expired_now() == 1

    with run_before("clipcart.payments.service.send_payment", once(expire)):
        answer = pay(client, who, checkout_id)
    assert answer.status_code == 409 and answer.json()["code"] == "CHECKOUT_EXPIRED"
    got = client.get(f"/api/v1/checkouts/{checkout_id}", headers=who.headers).json()
    assert got["status"] == "EXPIRED" and got["orders"][0]["status"] == "CANCELLED"
    with db.sessions() as session:
        [intent] = payments.intents_for_reference(session, f"checkout:{checkout_id}")
    assert intent.status == "REFUNDED" and intent.refunded.minor == 2 * 999 + 299
    assert stock(db, item.sku_ids[0]) == (3, 0)
    assert balance(db, "escrow") == 0 and invariants(db) == []


def test_expiry_after_the_capture_finds_nothing_to_release(client, db, frozen_clock):
    item, who, checkout_id = _open_checkout(client)
    assert pay(client, who, checkout_id).json()["status"] == "PAID"
    frozen_clock.advance(minutes=31)
    assert release_expired_now() == 0
    assert stock(db, item.sku_ids[0]) == (1, 0)
    assert len(_on_hold_rows(db, checkout_id)) == 1


def test_two_payments_racing_for_one_checkout_charge_once(client, db):
    _, who, checkout_id = _open_checkout(client)
    competitor: dict[str, object] = {}

    def second_payment() -> None:  # through another server process, as a double tap could
        with TestClient(app=create_app()) as other_server:
            competitor["answer"] = pay(other_server, who, checkout_id, key="second")

    with run_before("clipcart.payments.service.send_payment", once(second_payment)):
        first = pay(client, who, checkout_id, key="first")
    second = competitor["answer"]
    assert first.json()["status"] == "PAID", first.text
    assert second.json()["status"] == "PAID"  # type: ignore[attr-defined]
    assert len(outbox(db, "payments.captured")) == 1
    assert balance(db, "escrow") == 2 * 999 + 299
    assert len(_on_hold_rows(db, checkout_id)) == 1


def test_a_crash_between_capture_and_order_update_ends_paid_exactly_once(
        client, db, frozen_clock):
    item, who, checkout_id = _open_checkout(client)

    def crash(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("process killed")

    with run_before("clipcart.checkout.payment.apply_capture", crash), \
            pytest.raises(RuntimeError):
        payment.pay_checkout(db, checkout_id=int(checkout_id), buyer_user_id=who.user_id,
                             payment_token=tokenize(client), idempotency_key="k",
                             return_url="https://shop.example/return")
    assert stock(db, item.sku_ids[0]) == (3, 2)  # captured at the provider, not applied
    # after the restart the outbox retries the capture handler
    frozen_clock.advance(seconds=15)
    drain(db)
    got = client.get(f"/api/v1/checkouts/{checkout_id}", headers=who.headers).json()
    assert got["status"] == "PAID" and got["orders"][0]["status"] == "ON_HOLD"
    assert payment.settle(db, int(checkout_id)).status == "PAID"
    assert len(_on_hold_rows(db, checkout_id)) == 1
    assert stock(db, item.sku_ids[0]) == (1, 0)
    assert balance(db, "escrow") == 2 * 999 + 299 and invariants(db) == []


def test_capture_events_twice_or_a_late_failure_change_nothing(client, db):
    item, who, checkout_id = _open_checkout(client)
    assert pay(client, who, checkout_id).json()["status"] == "PAID"
    reference = {"reference": f"checkout:{checkout_id}"}
    for event_type, handler in (("payments.captured", checkout_events.on_captured),
                                ("payments.captured", checkout_events.on_captured),
                                ("payments.failed", checkout_events.on_failed)):
        with db.transaction() as session:
            handler(session, Event(new_id(), event_type, dict(reference),
                                   datetime.now(UTC)))
    got = client.get(f"/api/v1/checkouts/{checkout_id}", headers=who.headers).json()
    assert got["status"] == "PAID" and got["orders"][0]["status"] == "ON_HOLD"
    assert len(_on_hold_rows(db, checkout_id)) == 1
    assert stock(db, item.sku_ids[0]) == (1, 0)
    assert balance(db, "escrow") == 2 * 999 + 299 and invariants(db) == []
