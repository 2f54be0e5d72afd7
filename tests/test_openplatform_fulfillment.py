"""Fulfillment through the Seller API: package search and detail, shipping one or many,
labels and tracking; bad input changes nothing; another shop's packages stay unseen."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select
from tiktok_shop_api import Webhooks
from tiktok_shop_api.generated.models import (
    GetOrderDetailResponse,
    GetPackageDetailResponse,
    GetPackageShippingDocumentResponse,
    PackageUpdateWebhook,
    SearchPackageResponse,
)

from clipcart.carriers.interface import CARRIERS
from clipcart.db import transaction
from clipcart.openplatform import apps
from clipcart.openplatform.models import WebhookDelivery
from tests.fulfillment_support import order_status, package_ids, ready_single
from tests.openplatform_support import make_grant, signed_call, unknown_fields
from tests.payments_helpers import psp  # noqa: F401

pytestmark = pytest.mark.usefixtures("psp")
F = "/fulfillment/202309"
SIMX = CARRIERS["SIMX"].info


def _ready(client: Any, clock: Any) -> tuple[Any, Any, str]:
    ready = ready_single(client, clock, quantity=2)
    grant = make_grant(ready.shop_id)
    return ready, grant, str(package_ids_of(ready))


def package_ids_of(ready: Any) -> int:
    from clipcart.db import get_database

    [package_id] = package_ids(get_database(), ready.order_id)
    return package_id


def test_search_and_detail_show_the_package_to_ship(client, frozen_clock) -> None:  # type: ignore[no-untyped-def]
    ready, grant, package_id = _ready(client, frozen_clock)
    found = signed_call(client, grant, "POST", f"{F}/packages/search",
                        params=[("page_size", "10")], body={"package_status": "TO_FULFILL"})
    [row] = found["data"]["packages"]
    assert unknown_fields(SearchPackageResponse.from_dict(found)) == []
    assert (row["id"], row["status"], row["orders"][0]["id"], row["orders"][0]["skus"][0]
            ["quantity"], row["order_line_item_ids"], found["data"]["total_count"]) == (
        package_id, "PROCESSING", str(ready.order_id), 2,
        [row["order_line_item_ids"][0], f"{row['order_line_item_ids'][0]}-1"], 1)
    shipped = signed_call(client, grant, "POST", f"{F}/packages/search",
                          params=[("page_size", "10")], body={"package_status": "FULFILLING"})
    assert shipped["data"]["packages"] == []
    answer = signed_call(client, grant, "GET", f"{F}/packages/{package_id}")
    assert unknown_fields(GetPackageDetailResponse.from_dict(answer)) == []
    detail = answer["data"]
    assert (detail["package_id"], detail["package_status"], detail["shipping_type"],
            detail["recipient_address"]["name"]) == (package_id, "PROCESSING", "", "Ada Lovelace")
    orders = signed_call(client, grant, "GET", "/order/202309/orders",
                         params=[("ids", str(ready.order_id))])
    assert unknown_fields(GetOrderDetailResponse.from_dict(orders)) == []
    order = orders["data"]["orders"][0]
    assert [p["id"] for p in order["packages"]] == [package_id]
    assert order["line_items"][0]["package_id"] == package_id


def test_bad_search_input_answers_its_error_code(client, frozen_clock) -> None:  # type: ignore[no-untyped-def]
    _ready_order, grant, _package_id = _ready(client, frozen_clock)
    for params, body in (([("page_size", "0")], {}), ([("page_size", "10")],
                                                     {"package_status": "LOST"}),
                         ([("page_size", "10"), ("page_token", "nope")], {}),
                         ([("page_size", "10"), ("sort_field", "weight")], {}),
                         ([("page_size", "10")], {"create_time_ge": "yesterday"})):
        answer = signed_call(client, grant, "POST", f"{F}/packages/search", params=params,
                             body=body)
        assert answer["code"] == 36009004, (params, body, answer)


def test_shipping_with_the_sellers_carrier_moves_the_order(client, db, frozen_clock) -> None:  # type: ignore[no-untyped-def]
    ready, grant, package_id = _ready(client, frozen_clock)
    signed_call(client, grant, "PUT", "/event/202309/webhooks",
                body={"address": "https://erp.example/hooks", "event_type": "PACKAGE_UPDATE"})
    for bad in ({"self_shipment": {"tracking_number": "CX1", "shipping_provider_id": "999"}},
                {"self_shipment": {"tracking_number": "", "shipping_provider_id":
                                   SIMX.provider_id}},
                {"self_shipment": "CX1"}, {"handover_method": "DRONE"}):
        answer = signed_call(client, grant, "POST", f"{F}/packages/{package_id}/ship", body=bad)
        assert answer["code"] == 36009004, (bad, answer)
    assert order_status(db, ready.order_id) == "AWAITING_SHIPMENT"
    body = {"self_shipment": {"tracking_number": "CX0001", "shipping_provider_id":
                              SIMX.provider_id}}
    assert signed_call(client, grant, "POST", f"{F}/packages/{package_id}/ship",
                       body=body)["code"] == 0
    again = signed_call(client, grant, "POST", f"{F}/packages/{package_id}/ship", body=body)
    assert again["code"] == 36009009
    assert order_status(db, ready.order_id) == "AWAITING_COLLECTION"
    detail = signed_call(client, grant, "GET", f"{F}/packages/{package_id}")["data"]
    assert (detail["package_status"], detail["shipping_type"], detail["handover_method"],
            detail["tracking_number"], detail["shipping_provider_id"]) == (
        "FULFILLING", "SELLER", "DROP_OFF", "CX0001", SIMX.provider_id)
    document = signed_call(client, grant, "GET",
                           f"{F}/packages/{package_id}/shipping_documents",
                           params=[("document_type", "SHIPPING_LABEL")])
    assert unknown_fields(GetPackageShippingDocumentResponse.from_dict(document)) == []
    label = document["data"]
    assert label["doc_url"].endswith(f"/seller/{ready.shop_id}/shipping/labels?ids={package_id}")
    tracking = signed_call(client, grant, "GET", f"{F}/orders/{ready.order_id}/tracking")
    assert tracking["data"]["tracking"][0]["description"] == f"shipped with {SIMX.name}"
    with db.sessions() as session:
        [delivery] = session.execute(select(WebhookDelivery).where(
            WebhookDelivery.event_type == "PACKAGE_UPDATE")).scalars().all()
    event = Webhooks.parse(delivery.body)
    assert isinstance(event, PackageUpdateWebhook)
    assert (event.data.package_list[0].package_id, event.data.package_list[0].order_id_list,
            json.loads(delivery.body)["data"]["package_status"]) == (
        package_id, [str(ready.order_id)], "FULFILLING")


def test_a_platform_label_is_tiktok_shipping_with_the_carriers_label(client, frozen_clock) -> None:  # type: ignore[no-untyped-def]
    _ready_order, grant, package_id = _ready(client, frozen_clock)
    early = signed_call(client, grant, "GET", f"{F}/packages/{package_id}/shipping_documents",
                        params=[("document_type", "SHIPPING_LABEL")])
    assert early["code"] == 36009009
    assert signed_call(client, grant, "POST", f"{F}/packages/{package_id}/ship",
                       body={"handover_method": "PICKUP"})["code"] == 0
    detail = signed_call(client, grant, "GET", f"{F}/packages/{package_id}")["data"]
    assert (detail["shipping_type"], detail["handover_method"]) == ("TIKTOK", "PICKUP")
    label = signed_call(client, grant, "GET", f"{F}/packages/{package_id}/shipping_documents",
                        params=[("document_type", "SHIPPING_LABEL")])["data"]
    assert label["doc_url"].endswith(f"/carrier-sim/labels/SIMX/{detail['tracking_number']}")
    bad = signed_call(client, grant, "GET", f"{F}/packages/{package_id}/shipping_documents",
                      params=[("document_type", "POSTCARD")])
    assert bad["code"] == 36009004


def test_batch_ship_reports_each_package_on_its_own(client, db, frozen_clock) -> None:  # type: ignore[no-untyped-def]
    first, grant, first_package = _ready(client, frozen_clock)
    second = ready_single(client, frozen_clock)
    second_grant = make_grant(second.shop_id)
    second_package = str(package_ids_of(second))
    answer = signed_call(client, grant, "POST", f"{F}/packages/ship", body={"packages": [
        {"id": first_package, "self_shipment": {"tracking_number": "CX0002",
                                                "shipping_provider_id": SIMX.provider_id}},
        {"id": second_package, "handover_method": "PICKUP"}]})
    assert answer["code"] == 0
    assert [(e["code"], e["detail"]["package_id"]) for e in answer["data"]["errors"]] == [
        (36009008, second_package)]
    assert order_status(db, first.order_id) == "AWAITING_COLLECTION"
    assert order_status(db, second.order_id) == "AWAITING_SHIPMENT"
    unknown = signed_call(client, second_grant, "POST", f"{F}/packages/ship", body={
        "packages": [{"id": second_package, "self_shipment": {
            "tracking_number": "CX0003", "shipping_provider_id": "404"}}]})
    assert [e["code"] for e in unknown["data"]["errors"]] == [36009004]
    assert order_status(db, second.order_id) == "AWAITING_SHIPMENT"
    empty = signed_call(client, grant, "POST", f"{F}/packages/ship", body={"packages": []})
    assert empty["code"] == 36009004


def test_another_shops_package_is_not_found(client, frozen_clock) -> None:  # type: ignore[no-untyped-def]
    ready, _grant, package_id = _ready(client, frozen_clock)
    other = ready_single(client, frozen_clock)
    foreign = make_grant(other.shop_id)
    assert signed_call(client, foreign, "GET", f"{F}/packages/{package_id}")["code"] == 36009008
    ship = signed_call(client, foreign, "POST", f"{F}/packages/{package_id}/ship",
                       body={"handover_method": "PICKUP"})
    assert ship["code"] == 36009008
    docs = signed_call(client, foreign, "GET", f"{F}/packages/{package_id}/shipping_documents",
                       params=[("document_type", "SHIPPING_LABEL")])
    assert docs["code"] == 36009008
    tracking = signed_call(client, foreign, "GET", f"{F}/orders/{ready.order_id}/tracking")
    assert tracking["code"] == 36009008
    found = signed_call(client, foreign, "POST", f"{F}/packages/search",
                        params=[("page_size", "10")], body={})["data"]["packages"]
    assert [p["id"] for p in found] == [str(package_ids_of(other))]


def test_an_app_without_the_fulfillment_scope_is_refused(client, frozen_clock) -> None:  # type: ignore[no-untyped-def]
    ready = ready_single(client, frozen_clock)
    with transaction() as session:
        app, secret = apps.create_app(session, "Order reader", redirect_url="https://e.x/cb",
                                      scopes=["seller.order.info"])
        key = app.app_key
    grant = make_grant(ready.shop_id, (key, secret))
    answer = signed_call(client, grant, "POST", f"{F}/packages/search",
                         params=[("page_size", "10")], body={})
    assert answer["code"] == 106005
