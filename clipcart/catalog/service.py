"""Products and SKUs: creating and editing the seller's working copy.

What buyers see changes only through submission and audit (``catalog.submission``). Every
operation on an existing product locks its row first, so concurrent edits queue.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from clipcart import clock
from clipcart.catalog import lifecycle
from clipcart.catalog.categories import attributes_of
from clipcart.catalog.models import Category, Product, Sku
from clipcart.catalog.snapshots import working_snapshot
from clipcart.errors import Conflict, NotFound, ValidationFailed
from clipcart.ids import new_id
from clipcart.inventory import service as inventory
from clipcart.markets import market
from clipcart.money import MoneyError
from clipcart.shops.models import Shop

MAX_OPTIONS = 3
MAX_OPTION_VALUES = 30
MAX_SKUS = 100
MAX_DESCRIPTION = 10_000
DIMENSIONS = ("weight_g", "length_mm", "width_mm", "height_mm")


@dataclass(frozen=True)
class OptionInput:
    """A sales option such as Colour with its values, in display order."""

    name: str
    values: Sequence[str]


@dataclass(frozen=True)
class SkuInput:
    seller_sku: str
    price: str  # decimal text in the shop's currency, e.g. "24.90"
    list_price: str | None = None
    attributes: dict[str, str] = field(default_factory=dict)  # option name -> value
    weight_g: int | None = None
    length_mm: int | None = None
    width_mm: int | None = None
    height_mm: int | None = None
    # Units on hand: a number for the shop's default warehouse or {warehouse id: units};
    # None leaves stock as it is.
    stock: int | Mapping[int, int] | None = None


@dataclass(frozen=True)
class ProductInput:
    title: str
    skus: Sequence[SkuInput]
    description: str = ""
    brand: str = ""
    category_id: int | None = None
    attributes: dict[str, Any] = field(default_factory=dict)  # non-sales category attributes
    options: Sequence[OptionInput] = ()  # derived from the SKUs' attributes when empty


def _price_minor(shop: Shop, text: str, field_name: str) -> int:
    try:
        money = market(shop.market).parse_price(text)
    except (MoneyError, TypeError) as exc:
        raise ValidationFailed(f"{field_name.replace('_', ' ').capitalize()}: {exc}.",
                               field=field_name) from None
    if money.minor <= 0:
        raise ValidationFailed(f"The {field_name.replace('_', ' ')} must be more than zero.",
                               field=field_name)
    return money.minor


def _one_line(text: str, limit: int, what: str, field_name: str, minimum: int = 1) -> str:
    cleaned = " ".join(str(text).split())
    if not minimum <= len(cleaned) <= limit:
        raise ValidationFailed(f"{what} are {minimum} to {limit} characters.", field=field_name)
    return cleaned


def _clean_options(data: ProductInput) -> list[dict[str, Any]]:
    if data.options:
        raw = [(o.name, list(o.values)) for o in data.options]
    else:  # the importer's form: options follow the SKUs' attributes, in first-seen order
        seen: dict[str, list[str]] = {}
        for sku in data.skus:
            for name, value in sku.attributes.items():
                values = seen.setdefault(str(name), [])
                if str(value) not in values:
                    values.append(str(value))
        raw = list(seen.items())
    if len(raw) > MAX_OPTIONS:
        raise ValidationFailed(f"A product has at most {MAX_OPTIONS} options.", field="options")
    options, names = [], set()
    for name, values in raw:
        clean_name = _one_line(name, 40, "Option names", "options")
        if clean_name.casefold() in names:
            raise ValidationFailed(f"The option {clean_name!r} is there twice.", field="options")
        names.add(clean_name.casefold())
        clean_values: list[str] = []
        for value in values:
            clean = _one_line(value, 50, "Option values", "options")
            if clean.casefold() in {v.casefold() for v in clean_values}:
                raise ValidationFailed(f"{clean_name} lists {clean!r} twice.", field="options")
            clean_values.append(clean)
        if not clean_values or len(clean_values) > MAX_OPTION_VALUES:
            raise ValidationFailed(f"{clean_name} needs 1 to {MAX_OPTION_VALUES} values.",
                                   field="options")
        options.append({"name": clean_name, "values": clean_values})
    return options


def variant_matrix(options: Sequence[Mapping[str, Any]]) -> list[dict[str, str]]:
    """Every combination of option values, in the order sellers read a matrix."""
    names = [str(o["name"]) for o in options]
    return [dict(zip(names, combo, strict=True))
            for combo in itertools.product(*(list(o["values"]) for o in options))]


def _sku_attributes(options: list[dict[str, Any]], sku: SkuInput) -> dict[str, str]:
    given = {" ".join(str(k).split()): " ".join(str(v).split()) for k, v in sku.attributes.items()}
    names = [o["name"] for o in options]
    if set(given) != set(names):
        raise ValidationFailed(
            f"SKU {sku.seller_sku!r} must have a value for each option "
            f"({', '.join(names) or 'none'}).", field="skus")
    for option in options:
        if given[option["name"]] not in option["values"]:
            raise ValidationFailed(f"SKU {sku.seller_sku!r}: {given[option['name']]!r} is not a "
                                   f"value of {option['name']}.", field="skus")
    return {name: given[name] for name in names}


def _clean_attributes(session: Session, category_id: int | None,
                      attributes: Mapping[str, Any]) -> dict[str, str]:
    given = {str(k).strip(): " ".join(str(v).split()) for k, v in attributes.items()}
    given = {k: v for k, v in given.items() if v}
    if category_id is None:
        if given:
            raise ValidationFailed("Choose a category before filling its attributes.",
                                   field="category_id")
        return {}
    known = {a.name: a for a in attributes_of(session, category_id) if not a.is_sales_option}
    clean: dict[str, str] = {}
    for name, value in given.items():
        spec = known.get(name)
        if spec is None:
            raise ValidationFailed(f"This category has no attribute {name!r}.",
                                   field=f"attr:{name}")
        if len(value) > 200:
            raise ValidationFailed(f"{name}: at most 200 characters.", field=f"attr:{name}")
        if spec.values and value not in spec.values:
            raise ValidationFailed(f"{name} must be one of: {', '.join(spec.values)}.",
                                   field=f"attr:{name}")
        clean[name] = value
    return {a: clean[a] for a in known if a in clean}


def _check_category(session: Session, category_id: int | None) -> None:
    if category_id is None:
        return
    category = session.get(Category, category_id)
    if category is None:
        raise ValidationFailed("Choose a category from the list.", field="category_id")
    if not category.is_leaf:
        raise ValidationFailed(f"“{category.path}” has sub-categories: choose one of them.",
                               field="category_id")


@dataclass(frozen=True)
class _CleanSku:
    data: SkuInput
    code: str
    attributes: dict[str, str]
    price: int
    list_price: int | None


def _clean_skus(shop: Shop, options: list[dict[str, Any]], data: ProductInput) -> list[_CleanSku]:
    if not data.skus:
        raise ValidationFailed("A product needs at least one SKU.", field="skus")
    if len(data.skus) > MAX_SKUS:
        raise ValidationFailed(f"A product has at most {MAX_SKUS} SKUs.", field="skus")
    if not options and len(data.skus) > 1:
        raise ValidationFailed("Several SKUs need options (such as Colour or Size) to tell them "
                               "apart.", field="options")
    clean, codes, combos = [], set(), set()
    for sku in data.skus:
        code = " ".join(sku.seller_sku.split())
        if not 1 <= len(code) <= 64:
            raise ValidationFailed("Seller SKU codes are 1 to 64 characters.", field="seller_sku")
        if code in codes:
            raise ValidationFailed(f"The seller SKU {code!r} is used twice in this product.",
                                   field="seller_sku")
        codes.add(code)
        attrs = _sku_attributes(options, sku)
        combo = tuple(attrs.items())
        if combo in combos:
            raise ValidationFailed(f"Two SKUs have the same options ({', '.join(attrs.values())}).",
                                   field="skus")
        combos.add(combo)
        price = _price_minor(shop, sku.price, "price")
        list_price = _price_minor(shop, sku.list_price, "list_price") if sku.list_price else None
        if list_price is not None and list_price < price:
            raise ValidationFailed(f"{code}: the list price cannot be below the price.",
                                   field="list_price")
        for name in DIMENSIONS:
            value = getattr(sku, name)
            if value is not None and not 0 < value < 10_000_000:
                raise ValidationFailed(f"{code}: {name.replace('_', ' ')} must be a positive "
                                       "whole number.", field=name)
        clean.append(_CleanSku(sku, code, attrs, price, list_price))
    return clean


def _check_codes_free(session: Session, shop: Shop, product_id: int, codes: list[str]) -> None:
    taken = session.execute(
        select(Sku.seller_sku).where(Sku.shop_id == shop.id, Sku.seller_sku.in_(codes),
                                     Sku.product_id != product_id, Sku.removed.is_(False))
    ).scalars().all()
    if taken:
        raise Conflict(f"Another product of this shop already uses the seller SKU "
                       f"{', '.join(sorted(taken))}.", code="DUPLICATE_SELLER_SKU",
                       extra={"field": "seller_sku"})


def _match(existing: list[Sku], wanted: list[_CleanSku]) -> list[Sku | None]:
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


def _sync_skus(session: Session, shop: Shop, product: Product, wanted: list[_CleanSku]) -> None:
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


def _apply_stock(session: Session, shop: Shop, product: Product, wanted: list[_CleanSku],
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


def _require_selling_shop(shop: Shop) -> None:
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
    skus: list[_CleanSku]


def _clean(session: Session, shop: Shop, product_id: int, data: ProductInput) -> _Clean:
    """Everything checked before anything is written."""
    title = _one_line(data.title, 255, "Titles", "title", minimum=2)
    description = data.description.strip()
    if len(description) > MAX_DESCRIPTION:
        raise ValidationFailed(f"Descriptions are at most {MAX_DESCRIPTION} characters.",
                               field="description")
    brand = " ".join(data.brand.split())
    if len(brand) > 120:
        raise ValidationFailed("Brands are at most 120 characters.", field="brand")
    _check_category(session, data.category_id)
    attributes = _clean_attributes(session, data.category_id, data.attributes)
    options = _clean_options(data)
    skus = _clean_skus(shop, options, data)
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
    _require_selling_shop(shop)
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
    _require_selling_shop(shop)
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
