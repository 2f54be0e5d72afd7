"""Products and SKUs: the only way to change the catalog's tables."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from clipcart import clock
from clipcart.catalog.models import Product, Sku
from clipcart.errors import Conflict, ValidationFailed
from clipcart.ids import new_id
from clipcart.markets import market
from clipcart.money import MoneyError
from clipcart.shops.models import Shop


@dataclass(frozen=True)
class SkuInput:
    seller_sku: str
    price: str  # decimal text in the shop's currency, e.g. "24.90"
    list_price: str | None = None
    attributes: dict[str, str] = field(default_factory=dict)
    weight_g: int | None = None
    length_mm: int | None = None
    width_mm: int | None = None
    height_mm: int | None = None


@dataclass(frozen=True)
class ProductInput:
    title: str
    skus: Sequence[SkuInput]
    description: str = ""
    brand: str = ""
    category_id: int | None = None
    attributes: dict[str, Any] = field(default_factory=dict)


def _price_minor(shop: Shop, text: str, field_name: str) -> int:
    try:
        money = market(shop.market).parse_price(text)
    except (MoneyError, TypeError) as exc:
        raise ValidationFailed(f"{field_name}: {exc}", field=field_name) from None
    if money.minor <= 0:
        raise ValidationFailed(f"{field_name} must be more than zero.", field=field_name)
    return money.minor


def _new_sku(shop: Shop, product_id: int, data: SkuInput) -> Sku:
    code = data.seller_sku.strip()
    if not 1 <= len(code) <= 64:
        raise ValidationFailed("Seller SKU codes are 1 to 64 characters.", field="seller_sku")
    price = _price_minor(shop, data.price, "price")
    list_price = _price_minor(shop, data.list_price, "list_price") if data.list_price else None
    if list_price is not None and list_price < price:
        raise ValidationFailed("The list price cannot be below the price.", field="list_price")
    for name in ("weight_g", "length_mm", "width_mm", "height_mm"):
        value = getattr(data, name)
        if value is not None and not 0 < value < 10_000_000:
            raise ValidationFailed(f"{name} must be a positive whole number.", field=name)
    return Sku(id=new_id(), product_id=product_id, shop_id=shop.id, seller_sku=code,
               attributes={str(k): str(v) for k, v in data.attributes.items()},
               currency=shop.currency, price_minor=price, list_price_minor=list_price,
               weight_g=data.weight_g, length_mm=data.length_mm, width_mm=data.width_mm,
               height_mm=data.height_mm, created_at=clock.now())


def create_product(session: Session, shop: Shop, data: ProductInput) -> Product:
    """A DRAFT product with its SKUs, priced in the shop's currency."""
    title = " ".join(data.title.split())
    if not 2 <= len(title) <= 255:
        raise ValidationFailed("Titles are 2 to 255 characters.", field="title")
    if not data.skus:
        raise ValidationFailed("A product needs at least one SKU.", field="skus")
    codes = [s.seller_sku.strip() for s in data.skus]
    if len(set(codes)) != len(codes):
        raise ValidationFailed("Seller SKU codes must differ within a product.",
                               field="seller_sku")
    now = clock.now()
    product = Product(id=new_id(), shop_id=shop.id, status="DRAFT", title=title,
                      description=data.description.strip(), brand=data.brand.strip()[:120],
                      category_id=data.category_id, attributes=dict(data.attributes),
                      created_at=now, updated_at=now)
    session.add(product)
    session.flush()
    session.add_all([_new_sku(shop, product.id, sku) for sku in data.skus])
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        raise Conflict("A SKU with that seller SKU code already exists in this shop.",
                       code="DUPLICATE_SELLER_SKU") from None
    return product


def skus_of(session: Session, product_id: int) -> list[Sku]:
    return list(session.execute(
        select(Sku).where(Sku.product_id == product_id).order_by(Sku.id)).scalars())
