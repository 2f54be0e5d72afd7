"""The buyer's product page and the buyer API's product detail."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import msgspec
from litestar import Request, Router, get
from litestar.params import FromPath
from litestar.response import Template

from clipcart.catalog.buyer import BuyerProduct, BuyerSku, product_for_buyer
from clipcart.db import transaction
from clipcart.errors import NotFound
from clipcart.ids import parse_id
from clipcart.markets import market
from clipcart.web.auth import CurrentUser


def _viewer(request: Request[Any, Any, Any]) -> CurrentUser | None:
    user: CurrentUser | None = request.scope.get("user")
    return user


def _load(raw_id: str, viewer: CurrentUser | None) -> BuyerProduct:
    product_id = parse_id(raw_id)
    if product_id is None:
        raise NotFound("No such product.")
    with transaction() as session:
        return product_for_buyer(session, product_id, viewer.country if viewer else None)


def selected_sku(product: BuyerProduct, params: Mapping[str, str]) -> BuyerSku | None:
    """The SKU the buyer picked: by ``sku``, by option values ``o0``, ``o1``..., or the
    first one in stock."""
    if not product.skus:
        return None
    wanted = parse_id(params.get("sku", ""))
    for sku in product.skus:
        if sku.id == wanted:
            return sku
    picked = {o["name"]: params.get(f"o{i}") for i, o in enumerate(product.options)}
    if any(picked.values()):
        for sku in product.skus:
            if all(v is None or sku.attributes.get(k) == v for k, v in picked.items()):
                return sku
    return next((s for s in product.skus if s.available_quantity > 0), product.skus[0])


@get("/products/{product_id:str}", sync_to_thread=True, include_in_schema=False)
def product_page(request: Request[Any, Any, Any], product_id: FromPath[str]) -> Template:
    viewer = _viewer(request)
    product = _load(product_id, viewer)
    where = market(product.market)
    sku = selected_sku(product, dict(request.query_params))
    sku_data = {str(s.id): {
        "attributes": s.attributes, "price": where.format(s.price),
        "list_price": where.format(s.list_price) if s.list_price else None,
        "discount": s.discount_percent, "available": s.available_quantity}
        for s in product.skus}
    return Template("catalog/product.html", context={
        "p": product, "market": where, "sku": sku, "viewer": viewer,
        "sku_json": json.dumps(sku_data, ensure_ascii=False).replace("</", "<\\/"),
        "is_operator": bool(viewer and viewer.has("operator"))})


class MoneyOut(msgspec.Struct):
    amount: str
    currency: str


class ShopOut(msgspec.Struct):
    id: str
    name: str


class ImageOut(msgspec.Struct):
    url: str
    thumbnail_url: str
    width: int
    height: int


class SkuOut(msgspec.Struct):
    id: str
    attributes: dict[str, str]
    price: MoneyOut
    list_price: MoneyOut | None
    available_quantity: int


class ProductOut(msgspec.Struct):
    id: str
    shop: ShopOut | None
    title: str
    description: str
    brand: str
    category: str
    market: str
    available_in_your_country: bool
    attributes: dict[str, Any]
    options: list[dict[str, Any]]
    images: list[ImageOut]
    skus: list[SkuOut]


def product_json(product: BuyerProduct) -> ProductOut:
    where = market(product.market)

    def money(value: Any) -> MoneyOut:
        return MoneyOut(**where.as_json(value))

    shop = ShopOut(str(product.shop_id), product.shop_name or "") \
        if product.shop_id is not None else None
    return ProductOut(
        id=str(product.id), shop=shop, title=product.title, description=product.description,
        brand=product.brand, category=product.category_path, market=product.market,
        available_in_your_country=product.sellable_to_viewer,
        attributes=product.attributes, options=product.options,
        images=[ImageOut(i.url, i.thumbnail_url, i.width, i.height) for i in product.images],
        skus=[SkuOut(str(s.id), s.attributes, money(s.price),
                     money(s.list_price) if s.list_price else None, s.available_quantity)
              for s in product.skus])


@get("/products/{product_id:str}", sync_to_thread=True, tags=["products"],
     summary="A live product",
     description="The approved version of a live product, in any market. Buyers of another "
                 "market get it with `available_in_your_country` false, no shop and no stock.")
def product_detail(request: Request[Any, Any, Any], product_id: FromPath[str]) -> ProductOut:
    return product_json(_load(product_id, _viewer(request)))


pages_router = Router(path="/", route_handlers=[product_page])
api_router = Router(path="/", route_handlers=[product_detail], tags=["products"])
