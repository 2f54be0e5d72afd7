"""The acceptance scenario: the PyPI client ``tiktok-shop-api``, unchanged but for its base
URL, against a running clipcart: tokens, shops, a product, stock and price, a buyer's order,
order search and detail, and verified webhooks."""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from tiktok_shop_api import (
    TikTokShop,
    TikTokShopAuth,
    TikTokShopError,
    UnknownWebhookEvent,
    Webhooks,
)
from tiktok_shop_api.generated.models import (
    ActivateProductsRequest,
    CreateProductRequest,
    DeactivateProductsRequest,
    GetOrderListRequest,
    InventorySearchRequest,
    OrderStatusChangeWebhook,
    PartialEditProductRequest,
    ProductStatusChangeWebhook,
    UpdateInventoryRequest,
    UpdatePriceRequest,
    UpdateShopWebhookRequest,
    UploadProductImageRequest,
)
from tiktok_shop_api.generated.types import File

from clipcart.db import transaction
from clipcart.openplatform import apps, grants
from clipcart.shops.models import Shop
from tests.browser import live_server
from tests.catalog_support import make_seller, png, sync_categories
from tests.checkout_support import buy, buyer
from tests.payments_helpers import psp  # noqa: F401

pytestmark = pytest.mark.usefixtures("psp")


@contextmanager
def webhook_receiver() -> Iterator[tuple[str, list[tuple[bytes, str]]]]:
    received: list[tuple[bytes, str]] = []

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            received.append((body, self.headers.get("Authorization", "")))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hooks", received
    finally:
        server.shutdown()
        server.server_close()


def _authorized_code(shop_id: int) -> tuple[str, str, str]:
    """What the seller's click on the authorization page does (tested in the browser test)."""
    with transaction() as session:
        app, secret = apps.create_app(session, "Acme ERP", redirect_url="https://erp.example/cb")
        shop = session.get(Shop, shop_id)
        assert shop is not None
        code = grants.issue_code(session, grants.authorize(session, app, shop, shop.owner_user_id))
        return app.app_key, secret, code


def _wait_for(received: list[tuple[bytes, str]], count: int) -> None:
    deadline = time.monotonic() + 10
    while len(received) < count and time.monotonic() < deadline:
        time.sleep(0.05)


def test_the_pypi_client_runs_the_seller_scenario_against_a_live_clipcart(app, client) -> None:  # type: ignore[no-untyped-def]
    sync_categories()
    seller = make_seller(client, market="GB")
    app_key, secret, code = _authorized_code(seller.shop_id)
    with live_server(app) as base, webhook_receiver() as (hook_url, received):
        tokens = TikTokShopAuth(app_key, secret, base_url=base).exchange_code(code)
        assert tokens.seller_base_region == "GB" and tokens.access_token_expire_in > time.time()
        with pytest.raises(TikTokShopError) as spent:
            TikTokShopAuth(app_key, secret, base_url=base).exchange_code(code)
        assert spent.value.code == 36004006
        renewed = TikTokShopAuth(app_key, secret, base_url=base).refresh(tokens.refresh_token)

        api = TikTokShop(app_key, secret, access_token=renewed.access_token, base_url=base)
        shops = api.authorization.get_authorized_shops().data.shops
        assert [(s.id, s.region, s.name) for s in shops] == [
            (str(seller.shop_id), "GB", "Linen Studio")]
        shop = api.with_shop(shop_cipher=shops[0].cipher)

        for event_type in ("ORDER_STATUS_CHANGE", "PRODUCT_STATUS_CHANGE"):
            shop.event.update_shop_webhook(body=UpdateShopWebhookRequest.from_dict(
                {"address": hook_url, "event_type": event_type}))
        hooks = shop.event.get_shop_webhooks().data.webhooks
        assert sorted(h.event_type for h in hooks) == ["ORDER_STATUS_CHANGE",
                                                       "PRODUCT_STATUS_CHANGE"]

        warehouse = shop.logistics.get_warehouse_list().data.warehouses[0]
        dresses = next(c for c in shop.products.get_categories().data.categories
                       if c.local_name == "Dresses" and c.is_leaf)
        attributes = shop.products.get_category_attributes(dresses.id).data.attributes
        by_name = {a.name: a for a in attributes}
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
        product_id = created.data.product_id
        sku_id = created.data.skus[0].id
        assert created.data.skus[0].seller_sku == "API-RED-M"

        shop.products.update_inventory(product_id, body=UpdateInventoryRequest.from_dict(
            {"skus": [{"id": sku_id, "inventory": [{"warehouse_id": warehouse.id,
                                                    "quantity": 12}]}]}))
        shop.products.update_price(product_id, body=UpdatePriceRequest.from_dict(
            {"skus": [{"id": sku_id, "price": {"amount": "22.50", "currency": "GBP"}}]}))
        product = shop.products.get_product(product_id).data
        assert (product.status, product.skus[0].price.sale_price,
                product.skus[0].inventory[0].quantity) == ("ACTIVATE", "22.50", 12)
        found = shop.products.search_products(page_size=10).data
        assert [p.id for p in found.products] == [product_id]
        stock = shop.products.inventory_search(body=InventorySearchRequest.from_dict(
            {"product_ids": [product_id]})).data.inventory[0].skus[0]
        assert (stock.id, stock.total_available_quantity) == (sku_id, 12)
        shop.products.partial_edit_product(product_id, body=PartialEditProductRequest.from_dict(
            {"description": "Breathable linen, midi length, with pockets."}))
        shop.products.deactivate_products(body=DeactivateProductsRequest.from_dict(
            {"product_ids": [product_id]}))
        assert shop.products.get_product(product_id).data.status == "SELLER_DEACTIVATED"
        assert shop.products.activate_products(body=ActivateProductsRequest.from_dict(
            {"product_ids": [product_id]})).data.errors == []
        assert shop.products.get_product(product_id).data.description.endswith("pockets.")
        assert shop.products.get_category_rules(dresses.id).data.size_chart.is_required is False
        assert [b.name for b in shop.products.get_brands(page_size=10).data.brands] == []
        assert api.seller.get_active_shops().data.shops[0].region == "GB"

        who = buyer(client)
        assert buy(client, who, int(sku_id), 2).json()["status"] == "PAID"

        orders = shop.orders.get_order_list(page_size=10, body=GetOrderListRequest.from_dict(
            {"order_status": "ON_HOLD"})).data.orders
        assert [(o.status, o.payment.total_amount != "", len(o.line_items)) for o in orders] == [
            ("ON_HOLD", True, 2)]
        detail = shop.orders.get_order_detail(ids=[orders[0].id]).data.orders[0]
        assert (detail.id, detail.line_items[0].sale_price, detail.line_items[0].seller_sku) == (
            orders[0].id, "22.50", "API-RED-M")

        _wait_for(received, 3)
        events = [Webhooks.verify_and_parse(app_key=app_key, app_secret=secret, raw_body=body,
                                            signature=signature) for body, signature in received]
        assert not [e for e in events if isinstance(e, UnknownWebhookEvent)]
        statuses = [e.data.order_status for e in events if isinstance(e, OrderStatusChangeWebhook)]
        assert "ON_HOLD" in statuses
        products = [e for e in events if isinstance(e, ProductStatusChangeWebhook)]
        assert products and all(str(e.data.product_id) == product_id for e in products)
