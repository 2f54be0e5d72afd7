"""Product writes: create, edit (full and partial), inventory and price updates, status."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy.orm import Session

from clipcart.catalog import images as catalog_images
from clipcart.catalog import service as catalog
from clipcart.catalog import submission
from clipcart.catalog.models import Product, Sku
from clipcart.inventory import service as inventory
from clipcart.media import get_storage
from clipcart.openplatform import errors as E
from clipcart.openplatform.errors import OpenError
from clipcart.openplatform.gateway import Call, partner
from clipcart.openplatform.resources.common import an_id, ids
from clipcart.openplatform.resources.product_input import existing_input, product_input
from clipcart.openplatform.resources.product_view import sales_attributes
from clipcart.shops.models import Shop

READ, WRITE = "seller.product.basic", "seller.product.write"


def upload_prefix(shop_id: int) -> str:
    return f"open/{shop_id}"


def _image_bytes(shop: Shop, uri: str) -> bytes:
    if not isinstance(uri, str) or not uri.startswith(upload_prefix(shop.id) + "/"):
        raise OpenError(E.INVALID_PARAMETER, "main_images uri must come from images/upload.")
    try:
        return get_storage().get(uri)
    except (OSError, KeyError, ValueError):
        raise OpenError(E.INVALID_PARAMETER, f"No uploaded image {uri}.") from None


def _uris(body: dict[str, Any]) -> list[str] | None:
    raw = body.get("main_images")
    if raw is None:
        return None
    if not isinstance(raw, list) or not all(isinstance(i, dict) for i in raw):
        raise OpenError(E.INVALID_PARAMETER, "main_images is a list of {uri}.")
    return [str(i.get("uri", "")) for i in raw]


def _set_images(session: Session, shop: Shop, product: Product, uris: list[str]) -> None:
    current = catalog_images.images_of(session, product.id)
    if [i.key for i in current] == uris:
        return
    for image in current:
        catalog_images.remove_image(session, shop, product.id, image.id)
    for uri in uris:
        catalog_images.add_image(session, shop, product.id, _image_bytes(shop, uri))


def _answer(session: Session, product: Product) -> dict[str, Any]:
    return {"product_id": str(product.id), "warnings": [],
            "skus": [{"id": str(s.id), "seller_sku": s.seller_sku,
                      "sales_attributes": [{"id": a["id"], "value_id": a["value_id"]}
                                           for a in sales_attributes(session, product, s)]}
                     for s in catalog.skus_of(session, product.id)]}


def _listing(body: dict[str, Any]) -> bool:
    return body.get("save_mode", "LISTING") != "AS_DRAFT"


@partner("POST", "product", "products", scope=WRITE, summary="Create a product")
def create_product(session: Session, call: Call) -> dict[str, Any]:
    shop, body = call.shop_row, call.json()
    data = product_input(session, shop, body)
    uris = _uris(body) or []
    if not uris and _listing(body):
        raise OpenError(E.INVALID_PARAMETER, "main_images is required.")
    product = catalog.create_product(session, shop, data)
    for uri in uris:
        catalog_images.add_image(session, shop, product.id, _image_bytes(shop, uri))
    if _listing(body):
        product = submission.submit_product(session, shop, product.id)
    return _answer(session, product)


def _edit(session: Session, call: Call, partial: bool) -> dict[str, Any]:
    shop, body = call.shop_row, call.json()
    product_id = an_id(call.path_params.get("product_id"), "product_id")
    product = catalog.product_of_shop(session, shop.id, product_id, lock=True)
    base = existing_input(session, shop, product) if partial else None
    product = catalog.update_product(session, shop, product.id,
                                     product_input(session, shop, body, base))
    uris = _uris(body)
    if uris is not None:
        _set_images(session, shop, product, uris)
    if _listing(body) and product.status not in ("SELLER_DEACTIVATED",):
        product = submission.submit_product(session, shop, product.id)
    return _answer(session, product)


@partner("PUT", "product", "products/{product_id:str}", scope=WRITE, summary="Edit a product")
def edit_product(session: Session, call: Call) -> dict[str, Any]:
    return _edit(session, call, partial=False)


@partner("POST", "product", "products/{product_id:str}/partial_edit", scope=WRITE,
         summary="Partially edit a product")
def partial_edit_product(session: Session, call: Call) -> dict[str, Any]:
    return _edit(session, call, partial=True)


def _skus_of_product(session: Session, call: Call) -> tuple[Shop, Product, dict[int, Sku]]:
    shop = call.shop_row
    product = catalog.product_of_shop(session, shop.id,
                                      an_id(call.path_params.get("product_id"), "product_id"),
                                      lock=True)
    return shop, product, {s.id: s for s in catalog.skus_of(session, product.id)}


def _body_skus(call: Call) -> list[dict[str, Any]]:
    skus = call.json().get("skus")
    if not isinstance(skus, list) or not skus or not all(isinstance(s, dict) for s in skus):
        raise OpenError(E.INVALID_PARAMETER, "skus is a non-empty list of objects.")
    return skus


@partner("POST", "product", "products/{product_id:str}/inventory/update", scope=WRITE,
         summary="Update inventory")
def update_inventory(session: Session, call: Call) -> dict[str, Any]:
    shop, _product, skus = _skus_of_product(session, call)
    for raw in _body_skus(call):
        sku_id = an_id(raw.get("id"), "skus.id")
        if sku_id not in skus:
            raise OpenError(E.NOT_FOUND, f"SKU {sku_id} is not a SKU of this product.")
        items = raw.get("inventory")
        if not isinstance(items, list) or not items:
            raise OpenError(E.INVALID_PARAMETER, "skus.inventory is a non-empty list.")
        for item in items:
            quantity = item.get("quantity") if isinstance(item, dict) else None
            if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 0:
                raise OpenError(E.INVALID_PARAMETER, "quantity is a whole number, 0 or more.")
            raw_wh = item.get("warehouse_id")
            warehouse = an_id(raw_wh, "warehouse_id") if raw_wh not in (None, "") else \
                inventory.ensure_default_warehouse(session, shop.id).id
            if warehouse not in {w.id for w in inventory.warehouses_of(session, shop.id)}:
                raise OpenError(E.INVALID_PARAMETER, "warehouse_id is not a warehouse of this "
                                                     "shop.")
            inventory.set_on_hand(session, shop_id=shop.id, sku_id=sku_id,
                                  warehouse_id=warehouse, quantity=quantity,
                                  actor_user_id=None, reason="api",
                                  note=f"Seller API app {call.app.name}")
    return {}


@partner("POST", "product", "products/{product_id:str}/prices/update", scope=WRITE,
         summary="Update prices")
def update_prices(session: Session, call: Call) -> dict[str, Any]:
    shop, product, skus = _skus_of_product(session, call)
    base = existing_input(session, shop, product)
    by_code = {s.seller_sku: s for s in base.skus}
    wanted: dict[str, tuple[str, str | None]] = {}
    for raw in _body_skus(call):
        sku_id = an_id(raw.get("id"), "skus.id")
        price = raw.get("price")
        if sku_id not in skus or not isinstance(price, dict):
            raise OpenError(E.INVALID_PARAMETER, "Each SKU needs an id of this product and a "
                                                 "price.")
        sale = price.get("amount") or price.get("sale_price")
        if not isinstance(sale, str) or price.get("currency") not in (None, shop.currency):
            raise OpenError(E.INVALID_PARAMETER, f"price is {{amount, currency}} in "
                                                 f"{shop.currency}.")
        listed = raw.get("list_price")
        wanted[skus[sku_id].seller_sku] = (
            sale, str(listed["amount"]) if isinstance(listed, dict) and listed.get("amount")
            else by_code[skus[sku_id].seller_sku].list_price)
    new_skus = [s if s.seller_sku not in wanted else
                replace(s, price=wanted[s.seller_sku][0], list_price=wanted[s.seller_sku][1])
                for s in base.skus]
    data = replace(base, skus=new_skus)
    product = catalog.update_product(session, shop, product.id, data)
    if product.status in ("ACTIVATE", "PENDING"):
        submission.submit_product(session, shop, product.id)
    return {}


def _bulk(session: Session, call: Call, action: Any) -> dict[str, Any]:
    shop = call.shop_row
    raw = call.json().get("product_ids")
    if not isinstance(raw, list) or not raw:
        raise OpenError(E.INVALID_PARAMETER, "product_ids is a non-empty list.")
    errors = []
    for product_id in ids(raw, "product_ids"):
        try:
            with session.begin_nested():
                action(session, shop, product_id)
        except Exception as exc:  # each product answers for itself
            detail = getattr(exc, "detail", str(exc))
            errors.append({"code": E.CONFLICT, "message": detail,
                           "detail": {"product_id": str(product_id)}})
    return {"errors": errors}


@partner("POST", "product", "products/activate", scope=WRITE, summary="Activate products")
def activate_products(session: Session, call: Call) -> dict[str, Any]:
    return _bulk(session, call, submission.activate_product)


@partner("POST", "product", "products/deactivate", scope=WRITE, summary="Deactivate products")
def deactivate_products(session: Session, call: Call) -> dict[str, Any]:
    return _bulk(session, call, submission.deactivate_product)


@partner("DELETE", "product", "products", scope=WRITE, summary="Delete products")
def delete_products(session: Session, call: Call) -> dict[str, Any]:
    return _bulk(session, call, submission.delete_product)


ROUTES = [create_product, edit_product, partial_edit_product, update_inventory, update_prices,
          activate_products, deactivate_products, delete_products]
