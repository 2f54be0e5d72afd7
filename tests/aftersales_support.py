"""Builders for after-sales tests: delivered orders, return requests, the timed rules.

Orders get to DELIVERED the way the brief of the orders context allows today: bought and
paid through the buyer API, out of ON_HOLD with the clock, then moved by orders' service.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from clipcart import clock
from clipcart.aftersales import timers
from clipcart.checkout.models import CheckoutRefund
from clipcart.db import transaction
from clipcart.events import OutboxEvent
from clipcart.markets import get_markets
from clipcart.orders import service as orders
from tests.checkout_support import Buyer, add, check_out, pay
from tests.helpers import PASSWORD


def hold_minutes() -> int:
    return int(get_markets().rule("on_hold_minutes"))


def delivered_order(client: Any, who: Buyer, frozen: Any, items: list[tuple[int, int]],
                    country: str = "GB") -> dict[str, Any]:
    """An order of ``items`` (sku id, quantity), paid, shipped and delivered; the order JSON."""
    for sku_id, quantity in items:
        assert add(client, who, sku_id, quantity).status_code == 200
    made = check_out(client, who, country=country)
    assert made.status_code == 201, made.text
    paid = pay(client, who, made.json()["id"])
    assert paid.status_code == 200 and paid.json()["status"] == "PAID", paid.text
    [order_id] = paid.json()["order_ids"]
    frozen.advance(minutes=hold_minutes() + 1)
    with transaction() as session:
        orders.release_holds(session)
        orders.transition(session, int(order_id), "IN_TRANSIT", actor="system")
        orders.transition(session, int(order_id), "DELIVERED", actor="system")
    answer = client.get(f"/api/v1/orders/{order_id}", headers=who.headers)
    assert answer.json()["status"] == "DELIVERED"
    return answer.json()


def ask(client: Any, who: Buyer, order: dict[str, Any], kind: str = "REFUND_ONLY",
        lines: list[tuple[int, int]] | None = None, reason: str = "damaged",
        key: str | None = None) -> Any:
    """POST /orders/{id}/returns; ``lines`` are (index of the order line, quantity)."""
    chosen = lines if lines is not None else [(i, li["quantity"])
                                              for i, li in enumerate(order["lines"])]
    headers = {**who.headers, **({"Idempotency-Key": key} if key else {})}
    return client.post(f"/api/v1/orders/{order['id']}/returns", headers=headers, json={
        "type": kind, "reason": reason,
        "lines": [{"line_id": order["lines"][i]["id"], "quantity": q} for i, q in chosen]})


def fresh(client: Any, who: Buyer) -> Buyer:
    """The same buyer with a new access token (after the clock moved past the old one)."""
    answer = client.post("/api/v1/auth/token", json={"email": who.email, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    return Buyer(who.user_id, answer.json()["access_token"], who.email)


def run_timers() -> dict[str, int]:
    with transaction() as session:
        return timers.run_all(session)


def refunds_of(db: Any, order_id: str) -> list[tuple[str, int, str]]:
    with db.sessions() as session:
        rows = session.execute(select(CheckoutRefund.key, CheckoutRefund.amount_minor,
                                      CheckoutRefund.status)
                               .where(CheckoutRefund.order_id == int(order_id))
                               .order_by(CheckoutRefund.id)).all()
    return [(r[0], r[1], r[2]) for r in rows]


def events_of(db: Any, event_type: str) -> list[dict[str, Any]]:
    with db.sessions() as session:
        return [dict(e.payload) for e in session.execute(
            select(OutboxEvent).where(OutboxEvent.type == event_type)
            .order_by(OutboxEvent.id)).scalars()]


def hours(name: str) -> timedelta:
    return timedelta(hours=float(get_markets().rule(name)))


def now() -> Any:
    return clock.now()


def minor(money: dict[str, str]) -> int:
    """Minor units of a two-digit amount as the API writes it ("19.98" -> 1998)."""
    whole, _, cents = money["amount"].partition(".")
    return int(whole) * 100 + int(cents or 0)


def carrier_moves(db: Any, frozen: Any, times: int = 4) -> None:
    """The carrier simulator takes ``times`` scans (a normal parcel is delivered after 4)."""
    from clipcart.carriers import simulator
    from clipcart.carriers.config import get_carrier_settings

    for _ in range(times):
        frozen.advance(seconds=get_carrier_settings().scan_interval_seconds)
        simulator.advance(db, clock.now())
