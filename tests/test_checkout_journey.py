"""The buyer's whole journey: two shops in one checkout, a cancellation and its refund."""

from __future__ import annotations

import re

import pytest

from clipcart.ledger import service as ledger
from clipcart.payments import service as payments
from tests.checkout_support import add, balance, buyer, check_out, invariants, listing, pay, stock
from tests.payments_helpers import CHALLENGE, TESTSERVER, outbox, psp  # noqa: F401

pytestmark = pytest.mark.usefixtures("psp")


def test_buy_from_two_shops_cancel_one_and_get_its_money_back(client, db):
    # given two shops' products in one cart
    dresses = listing(client, price="9.99", stock=4, shop_name="Dress Shop")
    hats = listing(client, price="15.00", list_price=None, stock=3, shop_name="Hat Shop")
    who = buyer(client)
    add(client, who, dresses.sku_ids[0], 1, {"type": "live", "id": "room-7"})
    add(client, who, hats.sku_ids[0], 2)
    # when they check out and pay once with the test card
    made = check_out(client, who)
    assert made.status_code == 201, made.text
    assert len(made.json()["orders"]) == 2
    paid = pay(client, who, made.json()["id"])
    assert paid.json()["status"] == "PAID"
    # then they see two paid orders, newest first
    listed = client.get("/api/v1/orders", headers=who.headers).json()["orders"]
    assert sorted(o["shop_id"] for o in listed) == sorted(
        [str(dresses.seller.shop_id), str(hats.seller.shop_id)])
    assert [o["status"] for o in listed] == ["ON_HOLD", "ON_HOLD"]
    hat_order = next(o for o in listed if o["shop_id"] == str(hats.seller.shop_id))
    assert hat_order["amounts"]["total"] == {"amount": "30.00", "currency": "GBP"}
    assert balance(db, "escrow") == 999 + 299 + 3000
    assert stock(db, hats.sku_ids[0]) == (1, 0)
    # when they cancel the hat order
    cancelled = client.post(f"/api/v1/orders/{hat_order['id']}/cancel",
                            json={"reason": "Changed my mind"},
                            headers={**who.headers, "Idempotency-Key": "cancel-1"})
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "CANCELLED"
    # then its 30.00 comes back, its units are back on the shelf, all in the ledger
    with db.sessions() as session:
        [intent] = payments.intents_for_reference(session, f"checkout:{made.json()['id']}")
        assert intent.refunded.minor == 3000 and intent.status == "PARTIALLY_REFUNDED"
        kinds = [op.kind for op in ledger.operations_for(session,
                                                         f"checkout:{made.json()['id']}")]
    assert sorted(kinds) == ["checkout.capture", "checkout.refund"]
    assert balance(db, "escrow") == 999 + 299
    assert stock(db, hats.sku_ids[0]) == (3, 0)
    assert invariants(db) == []
    again = client.post(f"/api/v1/orders/{hat_order['id']}/cancel",
                        json={"reason": "Changed my mind"},
                        headers={**who.headers, "Idempotency-Key": "cancel-1"})
    assert again.json() == cancelled.json()
    assert [e["refund_minor"] for e in outbox(db, "payments.refunded")] == [3000]
    dress_id = next(o["id"] for o in listed if o["id"] != hat_order["id"])
    dress = client.get(f"/api/v1/orders/{dress_id}", headers=who.headers).json()
    assert dress["status"] == "ON_HOLD"
    assert dress["lines"][0]["source"] == {"type": "live", "id": "room-7"}


def test_a_challenge_card_pays_once_the_buyer_completes_the_challenge(client, db):
    item = listing(client, stock=2)
    who = buyer(client)
    add(client, who, item.sku_ids[0], 1)
    checkout_id = check_out(client, who).json()["id"]
    answer = pay(client, who, checkout_id, CHALLENGE)
    assert answer.json()["status"] == "REQUIRES_ACTION"
    url = answer.json()["next_action"]["redirect_url"]
    assert stock(db, item.sku_ids[0]) == (2, 1)
    page = client.get(url.removeprefix(TESTSERVER))
    fields = dict(re.findall(r'name="(session|nonce)" value="([^"]+)"', page.text))
    done = client.post(url.removeprefix(TESTSERVER).split("?")[0],
                       data={**fields, "action": "complete"}, follow_redirects=False)
    assert done.status_code == 303
    assert f"/checkout/{checkout_id}/return" in done.headers["location"]
    got = client.get(f"/api/v1/checkouts/{checkout_id}", headers=who.headers).json()
    assert got["status"] == "PAID" and got["orders"][0]["status"] == "ON_HOLD"
    assert stock(db, item.sku_ids[0]) == (1, 0)
    assert invariants(db) == []
