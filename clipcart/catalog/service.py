"""Products and SKUs: creating and editing the seller's working copy.

What buyers see changes only through submission and audit (``catalog.submission``). Every
operation on an existing product locks its row first, so concurrent edits queue.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from clipcart import clock
from clipcart.catalog import lifecycle
from clipcart.catalog.inputs import DIMENSIONS as DIMENSIONS
from clipcart.catalog.inputs import (
    MAX_DESCRIPTION,
    CleanSku,
    check_category,
    clean_attributes,
    clean_options,
    clean_skus,
    one_line,
)
from clipcart.catalog.inputs import MAX_OPTIONS as MAX_OPTIONS
from clipcart.catalog.inputs import OptionInput as OptionInput
from clipcart.catalog.inputs import ProductInput as ProductInput
from clipcart.catalog.inputs import SkuInput as SkuInput
from clipcart.catalog.inputs import variant_matrix as variant_matrix
from clipcart.catalog.models import Product, Sku
from clipcart.catalog.snapshots import working_snapshot
from clipcart.errors import Conflict, NotFound, ValidationFailed
from clipcart.ids import new_id
from clipcart.inventory import service as inventory
from clipcart.shops.models import Shop


def _check_codes_free(session: Session, shop: Shop, product_id: int, codes: list[str]) -> None:
    taken = session.execute(
        select(Sku.seller_sku).where(Sku.shop_id == shop.id, Sku.seller_sku.in_(codes),
                                     Sku.product_id != product_id, Sku.removed.is_(False))
    ).scalars().all()
    if taken:
        raise Conflict(f"Another product of this shop already uses the seller SKU "
                       f"{', '.join(sorted(taken))}.", code="DUPLICATE_SELLER_SKU",
                       extra={"field": "seller_sku"})


def _match(existing: list[Sku], wanted: list[CleanSku]) -> list[Sku | None]:
    """Pair each wanted SKU with an existing row: same code and options, same code, or same
    options (so stock and order history stay with the SKU they belong to)."""
    free = list(existing)
    pairs: list[Sku | None] = [None] * len(wanted)
    tests = (lambda s, w: s.seller_sku == w.code and s.attributes == w.attributes,
             lambda s, w: s.seller_sku == w.code,
             lambda s, w: s.attributes == w.attributes and not s.removed)
    for test in tests:
        for i, want in enumerate(wanted):
            if pairs[i] is None:
                row = next((s for s in free if test(s, want)), None)
                if row is not None:
                    pairs[i] = row
                    free.remove(row)
    return pairs


def _sync_skus(session: Session, shop: Shop, product: Product,
               wanted: list[CleanSku]) -> None:
    existing = list(session.execute(
        select(Sku).where(Sku.product_id == product.id).order_by(Sku.id)).scalars())
    pairs = _match(existing, wanted)
    kept = {row.id for row in pairs if row is not None}
    for row in existing:
        if row.id not in kept and not row.removed:
            row.removed = True
    session.flush()  # free the codes of dropped SKUs before others take them
    for position, (want, pair) in enumerate(zip(wanted, pairs, strict=True)):
        row = pair if pair is not None else Sku(id=new_id(), product_id=product.id,
                                                shop_id=shop.id, currency=shop.currency,
                                                created_at=clock.now())
        if pair is None:
            session.add(row)
        row.seller_sku, row.attributes, row.position, row.removed = \
            want.code, want.attributes, position, False
        row.price_minor, row.list_price_minor = want.price, want.list_price
        for name in DIMENSIONS:
            setattr(row, name, getattr(want.data, name))
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        raise Conflict("A SKU with that seller SKU code already exists in this shop.",
                       code="DUPLICATE_SELLER_SKU", extra={"field": "seller_sku"}) from None


def _apply_stock(session: Session, shop: Shop, product: Product, wanted: list[CleanSku],
                 actor_user_id: int | None) -> None:
    if all(w.data.stock is None for w in wanted):
        return
    rows = {s.seller_sku: s for s in skus_of(session, product.id)}
    warehouse_ids = {w.id for w in inventory.warehouses_of(session, shop.id)}
    for want in wanted:
        stock = want.data.stock
        if stock is None:
            continue
        if isinstance(stock, int):
            default = inventory.ensure_default_warehouse(session, shop.id)
            warehouse_ids.add(default.id)
            stock = {default.id: stock}
        for warehouse_id, quantity in stock.items():
            if warehouse_id not in warehouse_ids:
                raise ValidationFailed("Stock names a warehouse this shop does not have.",
                                       field="stock")
            if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 0:
                raise ValidationFailed(f"{want.code}: stock is a whole number, 0 or more.",
                                       field="stock")
            inventory.set_on_hand(session, shop_id=shop.id, sku_id=rows[want.code].id,
                                  warehouse_id=warehouse_id, quantity=quantity,
                                  actor_user_id=actor_user_id)


def require_selling_shop(shop: Shop) -> None:
    if shop.status != "APPROVED":
        raise Conflict("This shop is not approved yet.", code="SHOP_NOT_APPROVED")


@dataclass(frozen=True)
class _Clean:
    title: str
    description: str
    brand: str
    category_id: int | None
    attributes: dict[str, str]
    options: list[dict[str, Any]]
    skus: list[CleanSku]


def _clean(session: Session, shop: Shop, product_id: int, data: ProductInput) -> _Clean:
    """Everything checked before anything is written."""
    title = one_line(data.title, 255, "Titles", "title", minimum=2)
    description = data.description.strip()
    if len(description) > MAX_DESCRIPTION:
        raise ValidationFailed(f"Descriptions are at most {MAX_DESCRIPTION} characters.",
                               field="description")
    brand = " ".join(data.brand.split())
    if len(brand) > 120:
        raise ValidationFailed("Brands are at most 120 characters.", field="brand")
    check_category(session, data.category_id)
    attributes = clean_attributes(session, data.category_id, data.attributes)
    options = clean_options(data)
    skus = clean_skus(shop, options, data)
    _check_codes_free(session, shop, product_id, [w.code for w in skus])
    return _Clean(title, description, brand, data.category_id, attributes, options, skus)


def _write(session: Session, shop: Shop, product: Product, clean: _Clean,
           actor_user_id: int | None) -> None:
    product.title, product.description, product.brand = clean.title, clean.description, \
        clean.brand
    product.category_id, product.attributes, product.options = \
        clean.category_id, clean.attributes, clean.options
    product.updated_at = clock.now()
    _sync_skus(session, shop, product, clean.skus)
    _apply_stock(session, shop, product, clean.skus, actor_user_id)


def create_product(session: Session, shop: Shop, data: ProductInput, *,
                   actor_user_id: int | None = None) -> Product:
    """A DRAFT product with its SKUs, priced in the shop's currency."""
    require_selling_shop(shop)
    product_id = new_id()
    clean = _clean(session, shop, product_id, data)
    now = clock.now()
    product = Product(id=product_id, shop_id=shop.id, market=shop.market, status="DRAFT",
                      title=clean.title, description=clean.description, brand=clean.brand,
                      category_id=clean.category_id, attributes=clean.attributes,
                      options=clean.options, unsubmitted_changes=True, visible=False,
                      created_at=now, updated_at=now)
    session.add(product)
    session.flush()
    _write(session, shop, product, clean, actor_user_id)
    lifecycle.record_creation(session, product, lifecycle.Actor(lifecycle.SELLER, actor_user_id))
    return product


def product_of_shop(session: Session, shop_id: int, product_id: int, *,
                    lock: bool = False) -> Product:
    """A product of this shop that is not deleted; NOT_FOUND for anything else."""
    query = select(Product).where(Product.id == product_id, Product.shop_id == shop_id,
                                  Product.status != "DELETED")
    found = session.execute(query.with_for_update() if lock else query).scalar_one_or_none()
    if found is None:
        raise NotFound("No such product in this shop.")
    return found


def update_product(session: Session, shop: Shop, product_id: int, data: ProductInput, *,
                   actor_user_id: int | None = None) -> Product:
    """Save the working copy. A live product keeps showing its approved version."""
    require_selling_shop(shop)
    product = product_of_shop(session, shop.id, product_id, lock=True)
    clean = _clean(session, shop, product.id, data)
    before = working_snapshot(session, product)
    _write(session, shop, product, clean, actor_user_id)
    if working_snapshot(session, product) != before:
        product.unsubmitted_changes = True
    return product


def skus_of(session: Session, product_id: int) -> list[Sku]:
    """The SKUs of a product's working copy, in matrix order."""
    return list(session.execute(
        select(Sku).where(Sku.product_id == product_id, Sku.removed.is_(False))
        .order_by(Sku.position, Sku.id)).scalars())


def find_skus(session: Session, shop_id: int, seller_skus: Sequence[str]) -> dict[str, Sku]:
    """The shop's SKUs by seller SKU code (stock uploads and imports name SKUs that way)."""
    if not seller_skus:
        return {}
    rows = session.execute(select(Sku).where(Sku.shop_id == shop_id, Sku.removed.is_(False),
                                             Sku.seller_sku.in_(list(seller_skus)))).scalars()
    return {row.seller_sku: row for row in rows}
