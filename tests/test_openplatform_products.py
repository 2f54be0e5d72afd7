"""Products through the Seller API: create, edit, partial edit, status actions, search, stock,
categories, and audit results visible in the status, the product and the webhooks."""

from __future__ import annotations

import json
from typing import Any

import httpx
from sqlalchemy import select
from tiktok_shop_api import UnknownWebhookEvent, Webhooks

from clipcart.db import transaction
from clipcart.inventory.models import StockLevel
from clipcart.openplatform import webhooks
from clipcart.openplatform.models import WebhookDelivery
from tests.catalog_support import make_seller, png, sync_categories
from tests.openplatform_support import Grant, make_grant, signed_call

P = "/product/202309"


def _world(client: Any) -> tuple[Any, Grant, dict[str, str]]:
    sync_categories()
    seller = make_seller(client)
    grant = make_grant(seller.shop_id)
    categories = signed_call(client, grant, "GET", f"{P}/categories")["data"]["categories"]
    dresses = next(c for c in categories if c["local_name"] == "Dresses")
    attributes = signed_call(client, grant, "GET",
                             f"{P}/categories/{dresses['id']}/attributes")["data"]["attributes"]
    ids = {a["name"]: a["id"] for a in attributes}
    ids["category"] = dresses["id"]
    return seller, grant, ids


def _upload(client: Any, grant: Grant) -> str:
    from clipcart import clock
    from clipcart.openplatform.signing import sign

    query = [("app_key", grant.app_key), ("timestamp", str(int(clock.now().timestamp())))]
    query.append(("sign", sign(grant.secret, f"{P}/images/upload", query, b"",
                               "multipart/form-data")))
    answer = client.post(f"{P}/images/upload?" + "&".join(f"{k}={v}" for k, v in query),
                         files={"data": ("d.png", png(), "image/png")},
                         data={"use_case": "MAIN_IMAGE"},
                         headers={"x-tts-access-token": grant.access_token}).json()
    assert answer["code"] == 0, answer
    assert answer["data"]["use_case"] == "MAIN_IMAGE" and answer["data"]["width"] == 400
    uri: str = answer["data"]["uri"]
    return uri


def _body(ids: dict[str, str], uri: str, *, material: bool = True, sizes: tuple[str, ...] = ("S",
          "M"), price: str = "20.00") -> dict[str, Any]:
    body: dict[str, Any] = {
        "title": "Linen summer dress", "description": "<p>Breathable linen.</p>",
        "category_id": ids["category"], "main_images": [{"uri": uri}],
        "package_weight": {"value": "0.35", "unit": "KILOGRAM"},
        "skus": [{"seller_sku": f"LD-{s}", "price": {"amount": price, "currency": "GBP"},
                  "list_price": {"amount": "30.00", "currency": "GBP"},
                  "sales_attributes": [{"id": ids["Colour"], "value_name": "Red"},
                                       {"id": ids["Size"], "value_name": s}],
                  "inventory": [{"quantity": 4}]} for s in sizes]}
    if material:
        body["product_attributes"] = [{"id": ids["Material"], "values": [{"name": "Linen"}]}]
    return body


def _create(client: Any, grant: Grant, body: dict[str, Any]) -> dict[str, Any]:
    made = signed_call(client, grant, "POST", f"{P}/products", body=body)
    assert made["code"] == 0, made
    data: dict[str, Any] = made["data"]
    return data


def _get(client: Any, grant: Grant, product_id: str) -> dict[str, Any]:
    answer = signed_call(client, grant, "GET", f"{P}/products/{product_id}")
    assert answer["code"] == 0, answer
    data: dict[str, Any] = answer["data"]
    return data


def test_a_created_product_reads_back_with_partner_field_names(client: Any) -> None:
    _seller, grant, ids = _world(client)
    made = _create(client, grant, _body(ids, _upload(client, grant)))
    product = _get(client, grant, made["product_id"])
    assert (product["status"], product["audit"]["status"], product["title"]) == (
        "ACTIVATE", "APPROVED", "Linen summer dress")
    assert [c["local_name"] for c in product["category_chains"]] == ["Womenswear", "Dresses"]
    assert [(s["seller_sku"], s["price"]["sale_price"], s["list_price"]["amount"],
             s["inventory"][0]["quantity"], s["sku_weight"]["value"]) for s in product["skus"]] \
        == [("LD-S", "20.00", "30.00", 4, "350"), ("LD-M", "20.00", "30.00", 4, "350")]
    assert product["product_attributes"][0]["values"][0]["name"] == "Linen"
    assert product["main_images"][0]["uri"].startswith("products/")
    assert [a["value_name"] for a in product["skus"][1]["sales_attributes"]] == ["Red", "M"]


def test_a_failing_audit_shows_in_status_reasons_and_an_audit_webhook(client: Any) -> None:
    seen: list[httpx.Request] = []
    recorder = httpx.Client(transport=httpx.MockTransport(
        lambda r: seen.append(r) or httpx.Response(200)))  # type: ignore[func-returns-value]
    _seller, grant, ids = _world(client)
    for event_type in ("PRODUCT_STATUS_CHANGE", "PRODUCT_AUDIT_STATUS_CHANGE"):
        signed_call(client, grant, "PUT", "/event/202309/webhooks",
                    body={"address": "https://erp.example/h", "event_type": event_type})
    with webhooks.use_http_client(recorder):
        made = _create(client, grant, _body(ids, _upload(client, grant), material=False))
    product = _get(client, grant, made["product_id"])
    assert (product["status"], product["audit"]["status"]) == ("FAILED", "FAILED")
    assert "Material" in " ".join(product["audit_failed_reasons"][0]["reasons"])
    parsed = [Webhooks.verify_and_parse(app_key=grant.app_key, app_secret=grant.secret,
                                        raw_body=r.content, signature=r.headers["Authorization"])
              for r in seen]
    assert not [e for e in parsed if isinstance(e, UnknownWebhookEvent)]
    bodies = [json.loads(r.content) for r in seen]
    assert [(b["type"], b["data"].get("status") or b["data"]["audit"]["status"])
            for b in bodies] == [(5, "PENDING"), (37, "AUDITING"), (5, "FAILED"), (37, "FAILED")]


def test_full_and_partial_edits_change_only_what_they_name(client: Any) -> None:
    _seller, grant, ids = _world(client)
    uri = _upload(client, grant)
    made = _create(client, grant, _body(ids, uri))
    pid = made["product_id"]
    edited = signed_call(client, grant, "PUT", f"{P}/products/{pid}",
                         body=_body(ids, uri, sizes=("S", "M", "L")))
    assert edited["code"] == 0, edited
    assert [s["seller_sku"] for s in edited["data"]["skus"]] == ["LD-S", "LD-M", "LD-L"]
    partial = signed_call(client, grant, "POST", f"{P}/products/{pid}/partial_edit",
                          body={"title": "Linen midi dress"})
    assert partial["code"] == 0, partial
    product = _get(client, grant, pid)
    assert (product["title"], product["description"], len(product["skus"]),
            product["status"]) == ("Linen midi dress", "<p>Breathable linen.</p>", 3, "ACTIVATE")


def test_deactivate_activate_and_delete_answer_per_product(client: Any) -> None:
    _seller, grant, ids = _world(client)
    pid = _create(client, grant, _body(ids, _upload(client, grant)))["product_id"]
    off = signed_call(client, grant, "POST", f"{P}/products/deactivate",
                      body={"product_ids": [pid, "123"]})
    assert [e["detail"]["product_id"] for e in off["data"]["errors"]] == ["123"]
    assert _get(client, grant, pid)["status"] == "SELLER_DEACTIVATED"
    on = signed_call(client, grant, "POST", f"{P}/products/activate", body={"product_ids": [pid]})
    assert (on["data"]["errors"], _get(client, grant, pid)["status"]) == ([], "ACTIVATE")
    signed_call(client, grant, "DELETE", f"{P}/products", body={"product_ids": [pid]})
    assert signed_call(client, grant, "GET", f"{P}/products/{pid}")["code"] == 36009008


def test_search_filters_and_pages_with_tokens(client: Any) -> None:
    _seller, grant, ids = _world(client)
    uri = _upload(client, grant)
    made = [_create(client, grant, {**_body(ids, uri), "skus": [
        {**_body(ids, uri)["skus"][0], "seller_sku": f"P{i}"}]})["product_id"] for i in range(3)]
    first = signed_call(client, grant, "POST", f"{P}/products/search",
                        params=[("page_size", "2")], body={"status": "ACTIVATE"})["data"]
    second = signed_call(client, grant, "POST", f"{P}/products/search",
                         params=[("page_size", "2"), ("page_token", first["next_page_token"])],
                         body={"status": "ACTIVATE"})["data"]
    assert [p["id"] for p in first["products"] + second["products"]] == made[::-1]
    assert (first["total_count"], second["next_page_token"]) == (3, "")
    by_code = signed_call(client, grant, "POST", f"{P}/products/search", params=[
        ("page_size", "10")], body={"seller_skus": ["P1"]})["data"]["products"]
    assert [p["id"] for p in by_code] == [made[1]]
    drafts = signed_call(client, grant, "POST", f"{P}/products/search", params=[
        ("page_size", "10")], body={"status": "DRAFT"})["data"]
    assert drafts["products"] == []


def test_inventory_update_and_search_use_the_shop_warehouses(client: Any) -> None:
    _seller, grant, ids = _world(client)
    made = _create(client, grant, _body(ids, _upload(client, grant)))
    sku = made["skus"][0]["id"]
    warehouse = signed_call(client, grant, "GET", "/logistics/202309/warehouses")[
        "data"]["warehouses"][0]["id"]
    updated = signed_call(client, grant, "POST",
                          f"{P}/products/{made['product_id']}/inventory/update",
                          body={"skus": [{"id": sku, "inventory": [
                              {"warehouse_id": warehouse, "quantity": 9}]}]})
    assert updated["code"] == 0, updated
    found = signed_call(client, grant, "POST", f"{P}/inventory/search",
                        body={"sku_ids": [sku]})["data"]["inventory"]
    assert found == [{"product_id": made["product_id"], "skus": [{
        "id": sku, "seller_sku": "LD-S", "total_available_quantity": 9,
        "total_committed_quantity": 0, "warehouse_inventory": [
            {"warehouse_id": warehouse, "available_quantity": 9, "committed_quantity": 0}]}]}]
    refused = signed_call(client, grant, "POST",
                          f"{P}/products/{made['product_id']}/inventory/update",
                          body={"skus": [{"id": sku, "inventory": [{"quantity": -1}]}]})
    assert refused["code"] == 36009004
    with transaction() as session:
        levels = session.execute(select(StockLevel.on_hand).where(
            StockLevel.sku_id == int(sku))).scalars().all()
    assert levels == [9]


def test_prices_update_in_the_shop_currency_only(client: Any) -> None:
    _seller, grant, ids = _world(client)
    made = _create(client, grant, _body(ids, _upload(client, grant)))
    path = f"{P}/products/{made['product_id']}/prices/update"
    sku = made["skus"][1]["id"]
    wrong = signed_call(client, grant, "POST", path, body={"skus": [
        {"id": sku, "price": {"amount": "21.00", "currency": "USD"}}]})
    assert wrong["code"] == 36009004
    signed_call(client, grant, "POST", path, body={"skus": [
        {"id": sku, "price": {"amount": "21.00", "currency": "GBP"}}]})
    prices = [s["price"]["sale_price"] for s in _get(client, grant, made["product_id"])["skus"]]
    assert prices == ["20.00", "21.00"]


def test_categories_rules_and_brands(client: Any) -> None:
    _seller, grant, ids = _world(client)
    rules = signed_call(client, grant, "GET", f"{P}/categories/{ids['category']}/rules")
    assert rules["data"]["size_chart"] == {"is_supported": False, "is_required": False}
    assert signed_call(client, grant, "GET", f"{P}/categories/1/rules")["code"] == 36009008
    body = _body(ids, _upload(client, grant))
    unknown_brand = signed_call(client, grant, "POST", f"{P}/products",
                                body={**body, "brand_id": "42"})
    assert unknown_brand["code"] == 36009004
    assert signed_call(client, grant, "GET", f"{P}/brands")["data"]["brands"] == []
    with transaction() as session:
        assert session.execute(select(WebhookDelivery)).first() is None
