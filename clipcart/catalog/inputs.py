"""What a product is made of, as services take it, and the checks on each part.

Inputs are plain dataclasses so every caller (editor, importer, seller API) builds the
same thing; the ``clean_*`` functions turn them into checked values or ValidationFailed.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from clipcart.catalog.categories import attributes_of
from clipcart.catalog.models import Category
from clipcart.errors import ValidationFailed
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


def price_minor(shop: Shop, text: str, field_name: str) -> int:
    try:
        money = market(shop.market).parse_price(text)
    except (MoneyError, TypeError) as exc:
        raise ValidationFailed(f"{field_name.replace('_', ' ').capitalize()}: {exc}.",
                               field=field_name) from None
    if money.minor <= 0:
        raise ValidationFailed(f"The {field_name.replace('_', ' ')} must be more than zero.",
                               field=field_name)
    return money.minor


def one_line(text: str, limit: int, what: str, field_name: str, minimum: int = 1) -> str:
    cleaned = " ".join(str(text).split())
    if not minimum <= len(cleaned) <= limit:
        raise ValidationFailed(f"{what} are {minimum} to {limit} characters.", field=field_name)
    return cleaned


def clean_options(data: ProductInput) -> list[dict[str, Any]]:
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
        clean_name = one_line(name, 40, "Option names", "options")
        if clean_name.casefold() in names:
            raise ValidationFailed(f"The option {clean_name!r} is there twice.", field="options")
        names.add(clean_name.casefold())
        clean_values: list[str] = []
        for value in values:
            clean = one_line(value, 50, "Option values", "options")
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


def sku_attributes(options: list[dict[str, Any]], sku: SkuInput) -> dict[str, str]:
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


def clean_attributes(session: Session, category_id: int | None,
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


def check_category(session: Session, category_id: int | None) -> None:
    if category_id is None:
        return
    category = session.get(Category, category_id)
    if category is None:
        raise ValidationFailed("Choose a category from the list.", field="category_id")
    if not category.is_leaf:
        raise ValidationFailed(f"“{category.path}” has sub-categories: choose one of them.",
                               field="category_id")


@dataclass(frozen=True)
class CleanSku:
    data: SkuInput
    code: str
    attributes: dict[str, str]
    price: int
    list_price: int | None


def clean_skus(shop: Shop, options: list[dict[str, Any]],
               data: ProductInput) -> list[CleanSku]:
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
        attrs = sku_attributes(options, sku)
        combo = tuple(attrs.items())
        if combo in combos:
            raise ValidationFailed(f"Two SKUs have the same options ({', '.join(attrs.values())}).",
                                   field="skus")
        combos.add(combo)
        price = price_minor(shop, sku.price, "price")
        list_price = price_minor(shop, sku.list_price, "list_price") if sku.list_price else None
        if list_price is not None and list_price < price:
            raise ValidationFailed(f"{code}: the list price cannot be below the price.",
                                   field="list_price")
        for name in DIMENSIONS:
            value = getattr(sku, name)
            if value is not None and not 0 < value < 10_000_000:
                raise ValidationFailed(f"{code}: {name.replace('_', ' ')} must be a positive "
                                       "whole number.", field=name)
        clean.append(CleanSku(sku, code, attrs, price, list_price))
    return clean
