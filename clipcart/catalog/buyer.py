"""What buyers and checkout read: only the approved (live) revision of visible products."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from clipcart.catalog.categories import subtree_ids
from clipcart.catalog.models import Category, Product, ProductRevision, Sku
from clipcart.catalog.paging import Page, decode_token, encode_token, page_size_of
from clipcart.db import built_once
from clipcart.errors import NotFound
from clipcart.inventory import service as inventory
from clipcart.media import media_url
from clipcart.money import Money
from clipcart.shops import service as shops


def discount_percent(price: Money, list_price: Money | None) -> int | None:
    """Whole percent off the list price, rounded down (never overstates a discount)."""
    if list_price is None or list_price.minor <= price.minor:
        return None
    return (list_price.minor - price.minor) * 100 // list_price.minor


@dataclass(frozen=True)
class LiveCard:
    """A live product in a market listing."""

    id: int
    shop_id: int
    title: str
    image_url: str | None  # the main image's thumbnail
    price: Money  # the lowest SKU price
    category_id: int


def list_live_products(session: Session, market_code: str, *, category_id: int | None = None,
                       page_size: int = 20, page_token: str | None = None) -> Page[LiveCard]:
    """Live products of a market, newest first, by keyset (one query; two with a category)."""
    size = page_size_of(page_size)
    query = (select(Product.id, Product.shop_id, ProductRevision.title, ProductRevision.images,
                    ProductRevision.min_price_minor, ProductRevision.currency,
                    ProductRevision.category_id)
             .join(ProductRevision, ProductRevision.id == Product.live_revision_id)
             .where(Product.market == market_code.upper(), Product.visible.is_(True))
             .order_by(Product.id.desc()).limit(size + 1))
    after = decode_token(page_token)
    if after is not None:
        query = query.where(Product.id < after)
    if category_id is not None:
        query = query.where(ProductRevision.category_id.in_(subtree_ids(session, category_id)))
    rows = session.execute(query).all()
    cards = [LiveCard(r.id, r.shop_id, r.title,
                      media_url(r.images[0]["thumb_key"]) if r.images else None,
                      Money(r.min_price_minor, r.currency), r.category_id) for r in rows[:size]]
    more = len(rows) > size
    return Page(cards, encode_token(cards[-1].id) if more else None)


@dataclass(frozen=True)
class BuyerImage:
    url: str
    thumbnail_url: str
    width: int
    height: int


@dataclass(frozen=True)
class BuyerSku:
    id: int
    attributes: dict[str, str]
    price: Money
    list_price: Money | None
    discount_percent: int | None
    available_quantity: int


@dataclass(frozen=True)
class BuyerProduct:
    id: int
    market: str
    title: str
    description: str
    brand: str
    category_path: str
    attributes: dict[str, Any]
    options: list[dict[str, Any]]
    images: list[BuyerImage]
    skus: list[BuyerSku]
    sellable_to_viewer: bool  # False: a buyer from another market ("not available")
    shop_id: int | None  # None when not sellable to the viewer: they see no shop
    shop_name: str | None


def _live(session: Session, product_id: int) -> tuple[Product, ProductRevision, str]:
    row = session.execute(
        select(Product, ProductRevision, Category.path)
        .join(ProductRevision, ProductRevision.id == Product.live_revision_id)
        .join(Category, Category.id == ProductRevision.category_id)
        .where(Product.id == product_id, Product.visible.is_(True))).first()
    if row is None:
        raise NotFound("No such product.")
    return row[0], row[1], row[2]


def product_for_buyer(session: Session, product_id: int,
                      viewer_country: str | None) -> BuyerProduct:
    """The approved version of a visible product (NOT_FOUND otherwise).

    Anyone may look at it; a viewer whose country is not the product's market gets no shop,
    no stock and ``sellable_to_viewer`` False. Anonymous viewers count as local.
    """
    product, revision, path = _live(session, product_id)
    sellable = viewer_country is None or viewer_country.upper() == product.market
    sku_ids = [int(s["id"]) for s in revision.skus]
    available = inventory.available_for_skus(session, sku_ids) if sellable else {}
    shop = shops.get_shop(session, product.shop_id) if sellable else None
    skus = []
    for s in revision.skus:
        price = Money(s["price_minor"], revision.currency)
        list_price = Money(s["list_price_minor"], revision.currency) \
            if s["list_price_minor"] is not None else None
        skus.append(BuyerSku(int(s["id"]), dict(s["attributes"]), price, list_price,
                             discount_percent(price, list_price),
                             max(0, available.get(int(s["id"]), 0))))
    images = [BuyerImage(media_url(i["key"]) or "", media_url(i["thumb_key"]) or "",
                         int(i["width"]), int(i["height"])) for i in revision.images]
    return BuyerProduct(product.id, product.market, revision.title, revision.description,
                        revision.brand, path, dict(revision.attributes), list(revision.options),
                        images, skus, sellable, shop.id if shop else None,
                        shop.name if shop else None)


@dataclass(frozen=True)
class SkuOffer:
    """A SKU as checkout sells it: the live version's price, title, options and image."""

    sku_id: int
    product_id: int
    shop_id: int
    market: str
    title: str
    seller_sku: str
    attributes: dict[str, str]
    price: Money
    list_price: Money | None
    image_key: str | None
    weight_g: int | None


def _offers_query(_dialect: str) -> Any:
    return (select(Sku.id, Sku.weight_g, Product.id, Product.shop_id, Product.market,
                   ProductRevision.title, ProductRevision.currency, ProductRevision.skus,
                   ProductRevision.images)
            .join(Product, Product.id == Sku.product_id)
            .join(ProductRevision, ProductRevision.id == Product.live_revision_id)
            .where(Sku.id.in_(bindparam("ids", expanding=True)), Product.visible.is_(True)))


def sku_offers(session: Session, sku_ids: Sequence[int]) -> dict[int, SkuOffer]:
    """The SKUs buyers can buy now, by ID (one query of plain rows: checkout asks for them on
    every cart change); unknown or hidden ones are absent."""
    if not sku_ids:
        return {}
    rows = session.execute(built_once(session, _offers_query), {"ids": list(sku_ids)}).all()
    offers = {}
    for sku_id, weight_g, product_id, shop_id, market, title, currency, skus, images in rows:
        live = next((s for s in skus if int(s["id"]) == sku_id), None)
        if live is None:  # added in an edit that is not approved yet
            continue
        list_price = live["list_price_minor"]
        offers[sku_id] = SkuOffer(
            sku_id, product_id, shop_id, market, title, live["seller_sku"],
            dict(live["attributes"]), Money(live["price_minor"], currency),
            Money(list_price, currency) if list_price is not None else None,
            images[0]["key"] if images else None, weight_g)
    return offers


def sku_offer(session: Session, sku_id: int) -> SkuOffer:
    offer = sku_offers(session, [sku_id]).get(sku_id)
    if offer is None:
        raise NotFound("No such product option on sale.", code="SKU_NOT_AVAILABLE")
    return offer
