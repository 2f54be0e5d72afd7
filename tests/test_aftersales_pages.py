"""After-sales pages over HTTP: the buyer's request form, the seller queue, the disputes."""

from __future__ import annotations

import pytest

from clipcart.aftersales import service
from clipcart.aftersales.page_helpers import time_left
from clipcart.db import transaction
from clipcart.identity import service as identity
from tests.aftersales_support import ask, delivered_order, hours, refunds_of
from tests.catalog_support import log_in, png
from tests.checkout_support import buyer, listing
from tests.helpers import PASSWORD, csrf_form
from tests.payments_helpers import psp  # noqa: F401

pytestmark = pytest.mark.usefixtures("psp")


def test_a_buyer_asks_for_a_refund_with_a_photo_from_the_order(client, db, frozen_clock):
    item = listing(client, price="9.99", stock=5, skus=2)
    who = buyer(client)
    order = delivered_order(client, who, frozen_clock, [(item.sku_ids[0], 2),
                                                        (item.sku_ids[1], 1)])
    log_in(client, who.email)
    detail = client.get(f"/orders/{order['id']}")
    assert f'href="/orders/{order["id"]}/return"' in detail.text
    token = csrf_form(client, f"/orders/{order['id']}/return")
    first, second = order["lines"]
    sent = client.post(f"/orders/{order['id']}/return", follow_redirects=False,
                       data={"_csrf_token": token, "type": "REFUND_ONLY", "reason": "damaged",
                             "note": "Torn seam", f"qty_{first['id']}": "1",
                             f"qty_{second['id']}": "0"},
                       files={"photos": ("seam.png", png(), "image/png")})
    assert sent.status_code in (302, 303), sent.text
    page = client.get(sent.headers["location"])
    assert page.status_code == 200
    assert "Waiting for the seller" in page.text and "Torn seam" in page.text
    assert "£9.99" in page.text and 'alt="Photo 1 from the buyer"' in page.text
    [mine] = client.get("/api/v1/returns", headers=who.headers).json()["returns"]
    assert [(li["line_id"], li["quantity"]) for li in mine["lines"]] == [(first["id"], 1)]
    assert len(mine["photos"]) == 1


def test_a_request_form_without_lines_says_why_and_changes_nothing(client, db, frozen_clock):
    item = listing(client, stock=5)
    who = buyer(client)
    order = delivered_order(client, who, frozen_clock, [(item.sku_ids[0], 1)])
    log_in(client, who.email)
    token = csrf_form(client, f"/orders/{order['id']}/return")
    sent = client.post(f"/orders/{order['id']}/return",
                       data={"_csrf_token": token, "type": "REFUND_ONLY", "reason": "damaged",
                             f"qty_{order['lines'][0]['id']}": "0"})
    assert sent.status_code == 400 and "Choose 1 to" in sent.text
    bad_photo = client.post(f"/orders/{order['id']}/return",
                            data={"_csrf_token": token, "type": "REFUND_ONLY",
                                  "reason": "damaged", f"qty_{order['lines'][0]['id']}": "1"},
                            files={"photos": ("x.png", b"not an image", "image/png")})
    assert bad_photo.status_code == 400 and "not a readable image" in bad_photo.text
    assert client.get("/api/v1/returns", headers=who.headers).json()["returns"] == []


def test_the_seller_queue_shows_the_timer_and_approving_refunds(client, db, frozen_clock):
    item = listing(client, price="9.99", stock=5)
    who = buyer(client)
    order = delivered_order(client, who, frozen_clock, [(item.sku_ids[0], 1)])
    ret = ask(client, who, order).json()
    log_in(client, item.seller.email)
    queue = client.get(f"/seller/{item.seller.shop_id}/returns")
    assert queue.status_code == 200
    assert f"/seller/{item.seller.shop_id}/returns/{ret['id']}" in queue.text
    left = time_left(frozen_clock() + hours("seller_return_response_hours"))
    assert left.endswith(" h left")
    assert "Seller to answer" in queue.text and left in queue.text
    token = csrf_form(client, f"/seller/{item.seller.shop_id}/returns/{ret['id']}")
    done = client.post(f"/seller/{item.seller.shop_id}/returns/{ret['id']}/approve",
                       data={"_csrf_token": token}, follow_redirects=False)
    assert done.status_code in (302, 303)
    assert [r[2] for r in refunds_of(db, order["id"])] == ["DONE"]
    refused = client.post(f"/seller/{item.seller.shop_id}/returns/{ret['id']}/reject",
                          data={"_csrf_token": token, "reason": "reverse_reject_request_reason_1"})
    assert refused.status_code == 409 and "not possible any more" in refused.text


def test_another_shop_cannot_see_or_decide_the_return(client, db, frozen_clock):
    item = listing(client, stock=5)
    other = listing(client, stock=5, shop_name="Other Shop")
    who = buyer(client)
    order = delivered_order(client, who, frozen_clock, [(item.sku_ids[0], 1)])
    ret = ask(client, who, order).json()
    log_in(client, other.seller.email)
    assert client.get(f"/seller/{other.seller.shop_id}/returns/{ret['id']}").status_code == 404
    token = csrf_form(client, f"/seller/{other.seller.shop_id}/returns")
    assert client.post(f"/seller/{other.seller.shop_id}/returns/{ret['id']}/approve",
                       data={"_csrf_token": token}).status_code == 404
    assert client.get(f"/seller/{item.seller.shop_id}/returns").status_code == 404
    assert client.get("/operator/disputes").status_code == 403


def test_an_operator_decides_an_escalated_dispute_from_the_console(client, db, frozen_clock):
    item = listing(client, price="9.99", stock=5)
    who = buyer(client)
    order = delivered_order(client, who, frozen_clock, [(item.sku_ids[0], 1)])
    ret = ask(client, who, order).json()
    with transaction() as session:
        service.reject(session, item.seller.shop_id, int(ret["id"]), actor="seller:1",
                       reason="reverse_reject_request_reason_3")
        identity.create_operator(session, "disputes@example.com", PASSWORD)
    client.post(f"/api/v1/returns/{ret['id']}/escalate", headers=who.headers,
                json={"note": "It arrived broken"})
    log_in(client, "disputes@example.com")
    home = client.get("/operator")
    assert "Return disputes" in home.text and "1 waiting for a decision" in home.text
    listing_page = client.get("/operator/disputes")
    assert f"/operator/disputes/{ret['id']}" in listing_page.text
    token = csrf_form(client, f"/operator/disputes/{ret['id']}")
    decided = client.post(f"/operator/disputes/{ret['id']}/decide", follow_redirects=False,
                          data={"_csrf_token": token, "decision": "SUPPORT_BUYER",
                                "note": "Broken on arrival"})
    assert decided.status_code in (302, 303)
    assert [r[2] for r in refunds_of(db, order["id"])] == ["DONE"]
    page = client.get(f"/operator/disputes/{ret['id']}")
    assert "decided for the buyer" in page.text
    again = client.post(f"/operator/disputes/{ret['id']}/decide",
                        data={"_csrf_token": token, "decision": "SUPPORT_SELLER"})
    assert again.status_code == 409


def test_the_buyer_gets_a_return_label_from_the_return_page(client, db, frozen_clock):
    item = listing(client, stock=5)
    who = buyer(client)
    order = delivered_order(client, who, frozen_clock, [(item.sku_ids[0], 1)])
    ret = ask(client, who, order, "RETURN_AND_REFUND", reason="wrong_item").json()
    with transaction() as session:
        service.approve(session, item.seller.shop_id, int(ret["id"]), actor="seller:1")
    log_in(client, who.email)
    token = csrf_form(client, f"/returns/{ret['id']}")
    page = client.get(f"/returns/{ret['id']}")
    assert "Get a return label" in page.text and "Buyer to send the item" in page.text
    short = client.post(f"/returns/{ret['id']}/ship",
                        data={"_csrf_token": token, "carrier_code": "SIMX",
                              "tracking_number": "x"})
    assert short.status_code == 400 and "tracking number" in short.text
    sent = client.post(f"/returns/{ret['id']}/ship", data={"_csrf_token": token},
                       follow_redirects=False)
    assert sent.status_code in (302, 303)
    shown = client.get(f"/returns/{ret['id']}").text
    assert "Item on its way back" in shown and "Return parcel:" in shown
