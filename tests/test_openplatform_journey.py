"""The whole seller scenario through the PyPI client ``tiktok-shop-api``, unchanged: tokens,
shops, a product, stock and price, a buyer's order, order search and detail, shipping its
package, delivery by the carrier, settlement, statements, and every webhook verified.

The seller's machine keeps the server's (frozen, moved) time: the client's ``time`` is the
test clock, as a seller's clock in sync with the platform's would be."""

from __future__ import annotations

import io
from types import SimpleNamespace
from typing import Any

import pytest
import tiktok_shop_api.client as client_module
from sqlalchemy import select
from tiktok_shop_api import TikTokShop, TikTokShopAuth, UnknownWebhookEvent, Webhooks
from tiktok_shop_api.generated.models import (
    CreateProductRequest,
    GetOrderListRequest,
    OrderStatusChangeWebhook,
    PackageUpdateWebhook,
    SearchPackageRequest,
    ShipPackageRequest,
    UpdateInventoryRequest,
    UpdatePriceRequest,
    UpdateShopWebhookRequest,
    UploadProductImageRequest,
)
from tiktok_shop_api.generated.types import File

from clipcart.carriers.interface import CARRIERS
from clipcart.db import get_database
from clipcart.finance import service as finance
from clipcart.finance import statements
from clipcart.openplatform.models import WebhookDelivery
from clipcart.orders import service as orders
from clipcart.orders.models import Order
from tests.browser import live_server
from tests.catalog_support import make_seller, png, sync_categories
from tests.checkout_support import buy, buyer
from tests.fulfillment_support import carrier_step
from tests.payments_helpers import psp  # noqa: F401
from tests.test_openplatform_client import _authorized_code, _wait_for, webhook_receiver

pytestmark = pytest.mark.usefixtures("psp")
HOOKS = ("ORDER_STATUS_CHANGE", "PACKAGE_UPDATE", "PRODUCT_STATUS_CHANGE")


def _product(shop: Any) -> tuple[str, str]:
    warehouse = shop.logistics.get_warehouse_list().data.warehouses[0]
    dresses = next(c for c in shop.products.get_categories().data.categories
                   if c.local_name == "Dresses" and c.is_leaf)
    by_name = {a.name: a for a in
               shop.products.get_category_attributes(dresses.id).data.attributes}
    image = shop.products.upload_product_image(body=UploadProductImageRequest(
        data=File(payload=io.BytesIO(png()), file_name="dress.png", mime_type="image/png")))
    created = shop.products.create_product(body=CreateProductRequest.from_dict({
        "title": "Linen summer dress", "description": "Breathable linen, midi length.",
        "category_id": dresses.id, "main_images": [{"uri": image.data.uri}],
        "product_attributes": [{"id": by_name["Material"].id, "values": [{"name": "Linen"}]}],
        "skus": [{"seller_sku": "API-RED-M",
                  "sales_attributes": [{"id": by_name["Colour"].id, "value_name": "Red"},
                                       {"id": by_name["Size"].id, "value_name": "M"}],
                  "price": {"amount": "24.90", "currency": "GBP"},
                  "inventory": [{"warehouse_id": warehouse.id, "quantity": 5}]}]}))
    product_id, sku_id = created.data.product_id, created.data.skus[0].id
    shop.products.update_inventory(product_id, body=UpdateInventoryRequest.from_dict(
        {"skus": [{"id": sku_id, "inventory": [{"warehouse_id": warehouse.id,
                                                "quantity": 12}]}]}))
    shop.products.update_price(product_id, body=UpdatePriceRequest.from_dict(
        {"skus": [{"id": sku_id, "price": {"amount": "22.50", "currency": "GBP"}}]}))
    return product_id, sku_id


def test_the_client_runs_the_whole_seller_journey_to_settled_statements(  # type: ignore[no-untyped-def]
        app, client, frozen_clock, monkeypatch) -> None:
    monkeypatch.setattr(client_module, "time",
                        SimpleNamespace(time=lambda: frozen_clock.current.timestamp()))
    db = get_database()
    sync_categories()
    seller = make_seller(client, market="GB")
    app_key, secret, code = _authorized_code(seller.shop_id)
    with live_server(app) as base, webhook_receiver() as (hook_url, received):
        tokens = TikTokShopAuth(app_key, secret, base_url=base).exchange_code(code)
        api = TikTokShop(app_key, secret, access_token=tokens.access_token, base_url=base)
        shops = api.authorization.get_authorized_shops().data.shops
        assert [(s.id, s.region) for s in shops] == [(str(seller.shop_id), "GB")]
        shop = api.with_shop(shop_cipher=shops[0].cipher)
        for event_type in HOOKS:
            shop.event.update_shop_webhook(body=UpdateShopWebhookRequest.from_dict(
                {"address": hook_url, "event_type": event_type}))
        product_id, sku_id = _product(shop)
        assert shop.products.get_product(product_id).data.skus[0].price.sale_price == "22.50"

        who = buyer(client)
        assert buy(client, who, int(sku_id), 2).json()["status"] == "PAID"
        [found] = shop.orders.get_order_list(page_size=10, body=GetOrderListRequest.from_dict(
            {"order_status": "ON_HOLD"})).data.orders
        order_id = found.id
        frozen_clock.advance(minutes=orders.on_hold_minutes() + 1)
        with db.transaction() as session:
            assert orders.release_holds(session) == 1

        detail = shop.orders.get_order_detail(ids=[order_id]).data.orders[0]
        assert (detail.status, len(detail.packages)) == ("AWAITING_SHIPMENT", 1)
        package_id = detail.packages[0].id
        assert {i.package_id for i in detail.line_items} == {package_id}
        to_ship = shop.fulfillment.search_package(page_size=10, body=SearchPackageRequest
                                                  .from_dict({"package_status": "PROCESSING"}))
        assert [p.id for p in to_ship.data.packages] == [package_id]
        assert to_ship.data.packages[0].orders[0].skus[0].quantity == 2
        carrier = CARRIERS["SIMX"].info
        shop.fulfillment.ship_package(package_id, body=ShipPackageRequest.from_dict({
            "handover_method": "DROP_OFF", "self_shipment": {
                "tracking_number": "CX123456789GB",
                "shipping_provider_id": carrier.provider_id}}))
        package = shop.fulfillment.get_package_detail(package_id).data
        assert (package.package_status, package.shipping_type, package.tracking_number,
                package.shipping_provider_name) == ("FULFILLING", "SELLER", "CX123456789GB",
                                                    carrier.name)
        label = shop.fulfillment.get_package_shipping_document(
            package_id, document_type="SHIPPING_LABEL").data
        assert label.tracking_number == "CX123456789GB" and label.doc_url.endswith(
            f"/shipping/labels?ids={package_id}")

        for _ in range(12):
            carrier_step(db, frozen_clock)
            with db.sessions() as session:
                order = session.get(Order, int(order_id))
                assert order is not None
                if order.status == "DELIVERED":
                    break
        assert shop.fulfillment.get_package_detail(package_id).data.package_status == \
            "COMPLETED"
        assert shop.orders.get_order_detail(ids=[order_id]).data.orders[0].status == "DELIVERED"

        frozen_clock.advance(days=8)
        assert finance.settle_due(db) == 1
        frozen_clock.advance(days=1)
        with db.transaction() as session:
            assert statements.close_days(session) == 1
        renewed = TikTokShopAuth(app_key, secret, base_url=base).refresh(tokens.refresh_token)
        shop = TikTokShop(app_key, secret, access_token=renewed.access_token, base_url=base,
                          shop_cipher=shops[0].cipher)
        [statement] = shop.finance.get_statements(sort_field="statement_time").data.statements
        money = shop.finance.get_transactions_by_order(order_id).data
        assert (statement.currency, statement.settlement_amount, statement.payment_status) == (
            "GBP", money.settlement_amount, "PROCESSING")
        assert float(money.revenue_amount) + float(money.fee_and_tax_amount) == pytest.approx(
            float(money.settlement_amount))
        assert money.sku_transactions[0].statement_id == statement.id
        moves = shop.finance.get_transactions_by_statement(
            statement.id, sort_field="order_create_time").data
        assert [(t.type_, t.order_id, t.settlement_amount) for t in moves.transactions] == [
            ("ORDER", order_id, money.settlement_amount)]

        with db.sessions() as session:
            sent = session.execute(select(WebhookDelivery.status)).scalars().all()
        assert set(sent) == {"DELIVERED"}
        _wait_for(received, len(sent))
        events = [Webhooks.verify_and_parse(app_key=app_key, app_secret=secret, raw_body=body,
                                            signature=signature) for body, signature in received]
        assert not [e for e in events if isinstance(e, UnknownWebhookEvent)]
        statuses = [e.data.order_status for e in events if isinstance(e, OrderStatusChangeWebhook)]
        assert statuses[:2] == ["ON_HOLD", "AWAITING_SHIPMENT"] and statuses[-1] == "DELIVERED"
        packages = [e.data for e in events if isinstance(e, PackageUpdateWebhook)]
        assert packages and {p.package_list[0].package_id for p in packages} == {package_id}
        assert packages[-1].additional_properties["package_status"] == "COMPLETED"
