"""``GET /api/v1/products``: search and browse live products of the caller's market."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request, Router, get
from litestar.params import FromQuery

from clipcart.db import transaction
from clipcart.discovery.search import SearchHit, is_market, search_products
from clipcart.errors import ValidationFailed
from clipcart.ids import parse_id
from clipcart.markets import market as market_of
from clipcart.web.auth import CurrentUser


class MoneyOut(msgspec.Struct):
    amount: str
    currency: str


class ProductCardOut(msgspec.Struct):
    id: str
    title: str
    shop_id: str
    image_url: str | None
    price: MoneyOut


class ProductListOut(msgspec.Struct):
    products: list[ProductCardOut]
    next_page_token: str | None


def buyer_market(viewer: CurrentUser | None, requested: str | None) -> str:
    """Signed-in buyers search their own country; signed-out callers must name a market."""
    if viewer is not None:
        return viewer.country.upper()
    if not requested:
        raise ValidationFailed("Say which market to search: add ?market=GB (one of "
                               "ID, MY, PH, SG, TH, GB, US, VN), or sign in.", field="market")
    if not is_market(requested):
        raise ValidationFailed(f"{requested!r} is not a clipcart market.", field="market")
    return requested.upper()


def category_of(raw: str | None) -> int | None:
    if not raw:
        return None
    found = parse_id(raw)
    if found is None:
        raise ValidationFailed("category_id is a category's ID.", field="category_id")
    return found


def card_json(hit: SearchHit, code: str) -> ProductCardOut:
    price = MoneyOut(**market_of(code).as_json(hit.price))
    return ProductCardOut(id=str(hit.id), title=hit.title, shop_id=str(hit.shop_id),
                          image_url=hit.image_url, price=price)


@get("/products", sync_to_thread=True, tags=["products"], summary="Search live products",
     description="Live products of the caller's market (signed-out callers pass `market`), "
                 "by relevance to `query` or newest first, with category (and its "
                 "sub-categories) and price filters (decimal text in the market's currency).")
def list_products(request: Request[Any, Any, Any],
                  category_id: FromQuery[str | None] = None, page_size: FromQuery[int] = 20,
                  page_token: FromQuery[str | None] = None,
                  market: FromQuery[str | None] = None,
                  min_price: FromQuery[str | None] = None,
                  max_price: FromQuery[str | None] = None) -> ProductListOut:
    viewer: CurrentUser | None = request.scope.get("user")
    query = request.query_params.get("query") or ""  # "query" is a reserved parameter name
    code = buyer_market(viewer, market)
    category = category_of(category_id)
    with transaction() as session:
        page = search_products(session, code, text=query[:200], category_id=category,
                               min_price=min_price, max_price=max_price, page_size=page_size,
                               page_token=page_token)
    return ProductListOut([card_json(h, code) for h in page.items], page.next_page_token)


router = Router(path="/", route_handlers=[list_products], tags=["products"])
