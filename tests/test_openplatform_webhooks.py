"""Webhooks: registration, one delivery per (notification, endpoint), the Partner API's
signature, and retries after 2 min, 30 min, 3 h and 12 h before giving up."""

from __future__ import annotations

import json
from typing import Any

import httpx
from sqlalchemy import select
from tiktok_shop_api import Webhooks
from tiktok_shop_api.generated.models import ProductStatusChangeWebhook

from clipcart.db import get_database, transaction
from clipcart.openplatform import webhooks
from clipcart.openplatform.models import WebhookDelivery
from tests.catalog_support import dress_input, live_product, make_seller, sync_categories
from tests.openplatform_support import make_grant, signed_call

HOOK = "https://erp.example/hooks"


def _answering(status: int, seen: list[httpx.Request]) -> httpx.Client:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(status)

    return httpx.Client(transport=httpx.MockTransport(handler))


def _subscribed(client: Any) -> Any:
    sync_categories()
    seller = make_seller(client)
    grant = make_grant(seller.shop_id)
    answer = signed_call(client, grant, "PUT", "/event/202309/webhooks",
                         body={"address": HOOK, "event_type": "PRODUCT_STATUS_CHANGE"})
    assert answer["code"] == 0, answer
    return seller, grant


def _deliveries() -> list[WebhookDelivery]:
    with transaction() as session:
        return list(session.execute(select(WebhookDelivery).order_by(WebhookDelivery.id))
                    .scalars())


def test_registration_lists_replaces_and_deletes_a_webhook(client: Any) -> None:
    _seller, grant = _subscribed(client)
    signed_call(client, grant, "PUT", "/event/202309/webhooks",
                body={"address": HOOK + "/v2", "event_type": "PRODUCT_STATUS_CHANGE"})
    listed = signed_call(client, grant, "GET", "/event/202309/webhooks")["data"]
    assert [(w["event_type"], w["address"]) for w in listed["webhooks"]] == [
        ("PRODUCT_STATUS_CHANGE", HOOK + "/v2")]
    bad = signed_call(client, grant, "PUT", "/event/202309/webhooks",
                      body={"address": "ftp://x", "event_type": "PRODUCT_STATUS_CHANGE"})
    assert bad["code"] == 36009004
    gone = signed_call(client, grant, "DELETE", "/event/202309/webhooks",
                       body={"event_type": "PRODUCT_STATUS_CHANGE"})
    assert gone["code"] == 0
    assert signed_call(client, grant, "GET", "/event/202309/webhooks")["data"]["webhooks"] == []


def test_a_product_status_change_is_sent_signed_and_parses_with_the_client(client: Any) -> None:
    seen: list[httpx.Request] = []
    with webhooks.use_http_client(_answering(200, seen)):
        seller, grant = _subscribed(client)
        product_id = live_product(seller, dress_input())
    statuses = [json.loads(r.content)["data"]["status"] for r in seen]
    assert statuses == ["PENDING", "ACTIVATE"]
    for request in seen:
        event = Webhooks.verify_and_parse(app_key=grant.app_key, app_secret=grant.secret,
                                          raw_body=request.content,
                                          signature=request.headers["Authorization"])
        assert isinstance(event, ProductStatusChangeWebhook)
        assert (event.data.product_id, event.shop_id) == (product_id, str(seller.shop_id))
    assert [d.status for d in _deliveries()] == ["DELIVERED", "DELIVERED"]


def test_a_failing_endpoint_is_retried_on_the_schedule_then_given_up(
        client: Any, frozen_clock: Any) -> None:
    seen: list[httpx.Request] = []
    with webhooks.use_http_client(_answering(500, seen)):
        seller, _grant = _subscribed(client)
        with transaction() as session:
            webhooks.enqueue(session, notification_id="n-1", shop_id=seller.shop_id,
                             event_type="PRODUCT_STATUS_CHANGE",
                             data={"product_id": 1, "status": "ACTIVATE"})
            webhooks.enqueue(session, notification_id="n-1", shop_id=seller.shop_id,
                             event_type="PRODUCT_STATUS_CHANGE",
                             data={"product_id": 1, "status": "ACTIVATE"})
        assert len(seen) == 1  # one delivery for the repeated notification, sent at once
        waits = []
        for minutes in (2, 30, 180, 720):
            delivery = _deliveries()[0]
            assert delivery.next_attempt_at is not None
            waits.append(round((delivery.next_attempt_at - frozen_clock()).total_seconds() / 60))
            frozen_clock.advance(minutes=minutes - 1)
            assert webhooks.deliver_due(get_database()) == 0 and len(seen) == len(waits)
            frozen_clock.advance(minutes=1)
            webhooks.deliver_due(get_database())
    delivery = _deliveries()[0]
    assert waits == [2, 30, 180, 720]
    assert (len(seen), delivery.status, delivery.attempts, delivery.last_status_code) == (
        5, "FAILED", 5, 500)


def test_a_revoked_app_is_told_once_and_then_gets_no_more_webhooks(client: Any) -> None:
    seen: list[httpx.Request] = []
    with webhooks.use_http_client(_answering(200, seen)):
        seller, grant = _subscribed(client)
        signed_call(client, grant, "PUT", "/event/202309/webhooks",
                    body={"address": HOOK, "event_type": "SELLER_DEAUTHORIZATION"})
        with transaction() as session:
            from clipcart.openplatform import grants
            from clipcart.openplatform.models import OpenGrant

            grants.revoke(session, session.execute(select(OpenGrant.id)).scalar_one(),
                          seller.shop_id, None)
        live_product(seller, dress_input())
    told = [Webhooks.verify_and_parse(app_key=grant.app_key, app_secret=grant.secret,
                                      raw_body=r.content, signature=r.headers["Authorization"])
            for r in seen]
    assert [type(e).__name__ for e in told] == ["SellerDeauthorizationWebhook"]
    assert [d.event_type for d in _deliveries()] == ["SELLER_DEAUTHORIZATION"]
