"""Returns and cancellations through the Seller API: search, approve, reject with a listed
reason, the received package, webhooks; bad input changes nothing; tenancy holds."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from tiktok_shop_api import Webhooks
from tiktok_shop_api.generated.models import (
    CancellationStatusChangeWebhook,
    ReturnStatusChangeWebhook,
    SearchCancellationsResponse,
    SearchReturnsResponse,
)

from clipcart.openplatform.models import WebhookDelivery
from tests.aftersales_support import ask, carrier_moves, delivered_order, refunds_of
from tests.checkout_support import buy, buyer, listing
from tests.openplatform_support import make_grant, signed_call, unknown_fields
from tests.payments_helpers import psp  # noqa: F401

pytestmark = pytest.mark.usefixtures("psp")
R = "/return_refund/202309"
PENDING = "RETURN_OR_REFUND_REQUEST_PENDING"


def _asked(client: Any, clock: Any, kind: str = "REFUND_ONLY") -> tuple[Any, Any, dict[str, Any],
                                                                        str, Any]:
    item = listing(client, price="9.99", stock=5)
    grant = make_grant(item.seller.shop_id)
    for event_type in ("RETURN_STATUS_CHANGE", "CANCELLATION_STATUS_CHANGE"):
        signed_call(client, grant, "PUT", "/event/202309/webhooks",
                    body={"address": "https://erp.example/hooks", "event_type": event_type})
    who = buyer(client)
    order = delivered_order(client, who, clock, [(item.sku_ids[0], 2)])
    made = ask(client, who, order, kind, reason="damaged")
    assert made.status_code == 201, made.text
    return item, grant, order, made.json()["id"], who


def _status(client: Any, grant: Any, return_id: str) -> str:
    found = signed_call(client, grant, "POST", f"{R}/returns/search",
                        params=[("page_size", "10")], body={"return_ids": [return_id]})
    return str(found["data"]["return_orders"][0]["return_status"])


def _hooks(db: Any, event_type: str) -> list[Any]:
    with db.sessions() as session:
        bodies = session.execute(select(WebhookDelivery.body).where(
            WebhookDelivery.event_type == event_type).order_by(WebhookDelivery.id)).scalars()
        return [Webhooks.parse(b) for b in bodies]


def test_search_shows_the_return_as_the_partner_api_does(client, frozen_clock) -> None:  # type: ignore[no-untyped-def]
    _item, grant, order, return_id, _who = _asked(client, frozen_clock)
    answer = signed_call(client, grant, "POST", f"{R}/returns/search",
                         params=[("page_size", "10")], body={"order_ids": [order["id"]],
                                                             "return_status": [PENDING]})
    parsed = SearchReturnsResponse.from_dict(answer)
    assert unknown_fields(parsed) == []
    [row] = answer["data"]["return_orders"]
    assert parsed.data.return_orders[0].return_id == return_id
    assert (row["return_type"], row["return_status"], row["return_reason"],
            row["refund_amount"]["refund_total"], row["refund_amount"]["currency"],
            row["return_line_items"][0]["refund_amount"]["refund_subtotal"],
            row["seller_next_action_response"][0]["action"]) == (
        "REFUND", PENDING, "damaged", order["amounts"]["total"]["amount"], "GBP", "19.98",
        "SELLER_RESPOND")
    none = signed_call(client, grant, "POST", f"{R}/returns/search", params=[
        ("page_size", "10")], body={"return_status": ["RETURN_OR_REFUND_REQUEST_COMPLETE"]})
    assert none["data"]["return_orders"] == []
    for bad in ({"return_status": ["LOST"]}, {"return_ids": ["x"]}, {"order_ids": "1"},
                {"return_types": ["EXCHANGE"]}):
        answer = signed_call(client, grant, "POST", f"{R}/returns/search",
                             params=[("page_size", "10")], body=bad)
        assert answer["code"] == 36009004, bad


def test_approving_a_refund_pays_it_and_tells_the_app(client, db, frozen_clock) -> None:  # type: ignore[no-untyped-def]
    _item, grant, order, return_id, _who = _asked(client, frozen_clock)
    wrong = signed_call(client, grant, "POST", f"{R}/returns/{return_id}/approve",
                        body={"decision": "APPROVE_RETURN"})
    assert wrong["code"] == 36009004 and _status(client, grant, return_id) == PENDING
    assert signed_call(client, grant, "POST", f"{R}/returns/{return_id}/approve",
                       body={"decision": "APPROVE_REFUND"})["code"] == 0
    assert _status(client, grant, return_id) == "RETURN_OR_REFUND_REQUEST_SUCCESS"
    assert [r[2] for r in refunds_of(db, order["id"])] == ["DONE"]
    twice = signed_call(client, grant, "POST", f"{R}/returns/{return_id}/approve",
                        body={"decision": "APPROVE_REFUND"})
    assert twice["code"] == 36009009
    events = _hooks(db, "RETURN_STATUS_CHANGE")
    assert all(isinstance(e, ReturnStatusChangeWebhook) for e in events)
    assert unknown_fields(events) == []
    assert [(e.data.return_id, e.data.return_status, e.data.return_role) for e in events] == [
        (return_id, PENDING, "BUYER"),
        (return_id, "RETURN_OR_REFUND_REQUEST_SUCCESS", "SELLER")]


def test_rejecting_needs_a_listed_reason(client, db, frozen_clock) -> None:  # type: ignore[no-untyped-def]
    _item, grant, _order, return_id, _who = _asked(client, frozen_clock)
    reasons = signed_call(client, grant, "GET", f"{R}/reject_reasons",
                          params=[("return_or_cancel_id", return_id)])["data"]["reasons"]
    assert reasons[0]["name"] == "reverse_reject_request_reason_1"
    for bad in ({"decision": "REJECT_REFUND", "reject_reason": "because"},
                {"decision": "REJECT_REFUND"}, {"decision": "NOPE", "reject_reason":
                                                reasons[0]["name"]}):
        answer = signed_call(client, grant, "POST", f"{R}/returns/{return_id}/reject", body=bad)
        assert answer["code"] == 36009004, bad
    assert _status(client, grant, return_id) == PENDING
    done = signed_call(client, grant, "POST", f"{R}/returns/{return_id}/reject", body={
        "decision": "REJECT_REFUND", "reject_reason": reasons[0]["name"],
        "comment": "Photos show no damage"})
    assert done["code"] == 0
    assert _status(client, grant, return_id) == "RETURN_OR_REFUND_REQUEST_REJECT"
    assert refunds_of(db, _order["id"]) == []


def test_a_returned_package_is_confirmed_through_the_api(client, db, frozen_clock) -> None:  # type: ignore[no-untyped-def]
    _item, grant, order, return_id, who = _asked(client, frozen_clock, "RETURN_AND_REFUND")
    assert signed_call(client, grant, "POST", f"{R}/returns/{return_id}/approve",
                       body={"decision": "APPROVE_RETURN"})["code"] == 0
    assert _status(client, grant, return_id) == "AWAITING_BUYER_SHIP"
    early = signed_call(client, grant, "POST", f"{R}/returns/{return_id}/approve",
                        body={"decision": "APPROVE_RECEIVED_PACKAGE"})
    assert early["code"] == 36009009
    client.post(f"/api/v1/returns/{return_id}/shipment", headers=who.headers, json={})
    carrier_moves(db, frozen_clock)
    [row] = signed_call(client, grant, "POST", f"{R}/returns/search", params=[
        ("page_size", "10")], body={"return_ids": [return_id]})["data"]["return_orders"]
    assert (row["return_status"], row["return_tracking_number"] != "",
            row["return_provider_name"] != "") == ("BUYER_SHIPPED_ITEM", True, True)
    reasons = signed_call(client, grant, "GET", f"{R}/reject_reasons",
                          params=[("return_or_cancel_id", return_id)])["data"]["reasons"]
    assert reasons[0]["name"] == "package_not_received"
    assert signed_call(client, grant, "POST", f"{R}/returns/{return_id}/approve",
                       body={"decision": "APPROVE_RECEIVED_PACKAGE"})["code"] == 0
    assert _status(client, grant, return_id) == "RETURN_OR_REFUND_REQUEST_SUCCESS"
    assert [r[2] for r in refunds_of(db, order["id"])] == ["DONE"]


def test_another_shops_return_is_not_found(client, frozen_clock) -> None:  # type: ignore[no-untyped-def]
    _item, _grant, _order, return_id, _who = _asked(client, frozen_clock)
    other = listing(client, shop_name="Other Shop")
    foreign = make_grant(other.seller.shop_id)
    for path, body in ((f"{R}/returns/{return_id}/approve", {"decision": "APPROVE_REFUND"}),
                       (f"{R}/returns/{return_id}/reject", {
                           "decision": "REJECT_REFUND",
                           "reject_reason": "reverse_reject_request_reason_1"})):
        assert signed_call(client, foreign, "POST", path, body=body)["code"] == 36009008
    reasons = signed_call(client, foreign, "GET", f"{R}/reject_reasons",
                          params=[("return_or_cancel_id", return_id)])
    assert reasons["code"] == 36009008
    found = signed_call(client, foreign, "POST", f"{R}/returns/search",
                        params=[("page_size", "10")], body={"return_ids": [return_id]})
    assert found["data"] == {"return_orders": [], "total_count": 0, "next_page_token": ""}


def test_a_cancelled_paid_order_is_a_cancellation_the_app_can_search(client, db) -> None:  # type: ignore[no-untyped-def]
    item = listing(client, price="9.99", stock=5)
    grant = make_grant(item.seller.shop_id)
    signed_call(client, grant, "PUT", "/event/202309/webhooks", body={
        "address": "https://erp.example/hooks", "event_type": "CANCELLATION_STATUS_CHANGE"})
    who = buyer(client)
    ids = []
    for _ in range(2):
        [order_id] = buy(client, who, item.sku_ids[0], 2).json()["order_ids"]
        client.post(f"/api/v1/orders/{order_id}/cancel", headers=who.headers,
                    json={"reason": "Ordered by mistake"})
        ids.append(order_id)
    first = signed_call(client, grant, "POST", f"{R}/cancellations/search",
                        params=[("page_size", "1")], body={})
    assert SearchCancellationsResponse.from_dict(first).data.total_count == 2
    assert unknown_fields(SearchCancellationsResponse.from_dict(first)) == []
    second = signed_call(client, grant, "POST", f"{R}/cancellations/search", params=[
        ("page_size", "1"), ("page_token", first["data"]["next_page_token"])], body={})
    rows = first["data"]["cancellations"] + second["data"]["cancellations"]
    assert [r["order_id"] for r in rows] == ids[::-1]
    assert (rows[0]["role"], rows[0]["cancel_reason"], rows[0]["cancel_type"],
            rows[0]["cancel_line_items"][0]["refund_amount"]["refund_total"]) == (
        "BUYER", "Ordered by mistake", "CANCEL", "19.98")
    by_status = signed_call(client, grant, "POST", f"{R}/cancellations/search", params=[
        ("page_size", "10")], body={"cancel_status": ["CANCELLATION_REQUEST_PENDING"]})
    assert by_status["data"]["cancellations"] == []
    bad = signed_call(client, grant, "POST", f"{R}/cancellations/search",
                      params=[("page_size", "10")], body={"cancel_status": ["DONE"]})
    assert bad["code"] == 36009004
    reasons = signed_call(client, grant, "GET", f"{R}/reject_reasons",
                          params=[("return_or_cancel_id", rows[0]["cancel_id"])])
    assert reasons["data"] == {"reasons": []}
    events = _hooks(db, "CANCELLATION_STATUS_CHANGE")
    assert events and all(isinstance(e, CancellationStatusChangeWebhook) for e in events)
    assert {(e.data.order_id, e.data.cancellations_role) for e in events} == {
        (i, "BUYER") for i in ids}
    other = listing(client, shop_name="Other Shop")
    foreign = make_grant(other.seller.shop_id)
    unseen = signed_call(client, foreign, "POST", f"{R}/cancellations/search",
                         params=[("page_size", "10")], body={"order_ids": ids})
    assert unseen["data"]["cancellations"] == []
