"""Partner API product bodies turned into the catalog's ProductInput."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from clipcart.catalog.categories import attributes_of
from clipcart.catalog.models import Category, CategoryAttribute, Product
from clipcart.catalog.service import ProductInput, SkuInput, skus_of
from clipcart.inventory import service as inventory
from clipcart.openplatform import errors as E
from clipcart.openplatform.errors import OpenError
from clipcart.openplatform.resources.common import amount, an_id
from clipcart.openplatform.resources.product_view import brand_id, value_id
from clipcart.shops.models import Shop

GRAMS = {"GRAM": Decimal(1), "KILOGRAM": Decimal(1000), "POUND": Decimal("453.59237"),
         "OUNCE": Decimal("28.349523125")}


def _text(body: dict[str, Any], name: str, required: bool = False) -> str | None:
    value = body.get(name)
    if value is None:
        if required:
            raise OpenError(E.INVALID_PARAMETER, f"{name} is required.")
        return None
    if not isinstance(value, str):
        raise OpenError(E.INVALID_PARAMETER, f"{name} must be a string.")
    return value


def _list(body: dict[str, Any], name: str) -> list[dict[str, Any]]:
    value = body.get(name) or []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise OpenError(E.INVALID_PARAMETER, f"{name} must be a list of objects.")
    return value


def shop_brands(session: Session, shop_id: int) -> list[str]:
    rows = session.execute(select(Product.brand).where(Product.shop_id == shop_id,
                                                       Product.brand != "").distinct())
    return sorted({r[0] for r in rows})


def _brand(session: Session, shop: Shop, raw: Any) -> str:
    if raw in (None, ""):
        return ""
    found = next((b for b in shop_brands(session, shop.id) if brand_id(b) == str(raw)), None)
    if found is None:
        raise OpenError(E.INVALID_PARAMETER, "brand_id is not a brand of this shop.")
    return found


def _category(session: Session, raw: Any) -> int:
    category_id = an_id(raw, "category_id")
    if session.get(Category, category_id) is None:
        raise OpenError(E.INVALID_PARAMETER, "category_id is not a clipcart category.")
    return category_id


def _spec(specs: dict[int, CategoryAttribute], by_name: dict[str, CategoryAttribute],
          item: dict[str, Any]) -> tuple[str, CategoryAttribute | None]:
    raw_id, name = item.get("id"), item.get("name")
    if raw_id not in (None, ""):
        parsed = an_id(raw_id, "attribute id")
        if parsed in specs:
            return specs[parsed].name, specs[parsed]
    if isinstance(name, str) and name.strip():
        return name.strip(), by_name.get(name.strip())
    raise OpenError(E.INVALID_PARAMETER, "An attribute needs a known id or a name.")


def _value(spec: CategoryAttribute | None, name: Any, raw_value_id: Any) -> str:
    if isinstance(name, str) and name.strip():
        return name.strip()
    if spec is not None and raw_value_id not in (None, ""):
        found = next((v for v in spec.values if value_id(spec.id, v) == str(raw_value_id)), None)
        if found is not None:
            return found
    raise OpenError(E.INVALID_PARAMETER, "An attribute value needs a value_name or a known "
                                         "value id.")


def _grams(weight: Any) -> int | None:
    if not isinstance(weight, dict):
        return None
    try:
        factor = GRAMS[str(weight.get("unit", "KILOGRAM")).upper()]
        return max(int(Decimal(str(weight.get("value"))) * factor), 1)
    except (KeyError, InvalidOperation):
        raise OpenError(E.INVALID_PARAMETER, "weights are {value, unit} in GRAM, KILOGRAM, "
                                             "POUND or OUNCE.") from None


def _stock(session: Session, shop: Shop, items: list[dict[str, Any]]) -> dict[int, int] | None:
    if not items:
        return None
    stock: dict[int, int] = {}
    for item in items:
        quantity = item.get("quantity", 0)
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 0:
            raise OpenError(E.INVALID_PARAMETER, "inventory quantity is a whole number, 0 or "
                                                 "more.")
        raw = item.get("warehouse_id")
        warehouse = an_id(raw, "warehouse_id") if raw not in (None, "") else \
            inventory.ensure_default_warehouse(session, shop.id).id
        stock[warehouse] = quantity
    return stock


def sku_inputs(session: Session, shop: Shop, category_id: int | None,
               raw_skus: list[dict[str, Any]], package_grams: int | None) -> list[SkuInput]:
    specs_list = attributes_of(session, category_id) if category_id else []
    specs = {a.id: a for a in specs_list}
    by_name = {a.name: a for a in specs_list}
    out = []
    for index, raw in enumerate(raw_skus):
        raw_price = raw.get("price")
        price: dict[str, Any] = raw_price if isinstance(raw_price, dict) else {}
        sale = price.get("sale_price") or price.get("amount")
        if not isinstance(sale, str):
            raise OpenError(E.INVALID_PARAMETER, f"skus[{index}].price.amount is required.")
        if price.get("currency") not in (None, shop.currency):
            raise OpenError(E.INVALID_PARAMETER, f"This shop sells in {shop.currency}.")
        listed = raw.get("list_price")
        attributes = {}
        for item in _list(raw, "sales_attributes"):
            name, spec = _spec(specs, by_name, item)
            attributes[name] = _value(spec, item.get("value_name"), item.get("value_id"))
        code = raw.get("seller_sku") or raw.get("external_sku_id") or f"SKU-{index + 1}"
        out.append(SkuInput(
            seller_sku=str(code), price=sale, attributes=attributes,
            list_price=str(listed["amount"]) if isinstance(listed, dict) and listed.get("amount")
            else None,
            weight_g=_grams(raw.get("sku_weight")) or package_grams,
            stock=_stock(session, shop, _list(raw, "inventory"))))
    return out


def product_attributes(session: Session, category_id: int | None,
                       items: list[dict[str, Any]]) -> dict[str, str]:
    specs_list = attributes_of(session, category_id) if category_id else []
    specs, by_name = {a.id: a for a in specs_list}, {a.name: a for a in specs_list}
    out = {}
    for item in items:
        name, spec = _spec(specs, by_name, item)
        values = item.get("values") or []
        if not isinstance(values, list) or not values or not isinstance(values[0], dict):
            raise OpenError(E.INVALID_PARAMETER, f"{name}: values is a list of {{id, name}}.")
        out[name] = ", ".join(_value(spec, v.get("name"), v.get("id")) for v in values)
    return out


def existing_input(session: Session, shop: Shop, product: Product) -> ProductInput:
    """The product as it stands, so a partial edit changes only what it names."""
    skus = [SkuInput(seller_sku=s.seller_sku, price=amount(s.price_minor, s.currency,
                                                           shop.market),
                     list_price=amount(s.list_price_minor, s.currency, shop.market)
                     if s.list_price_minor else None,
                     attributes=dict(s.attributes), weight_g=s.weight_g, length_mm=s.length_mm,
                     width_mm=s.width_mm, height_mm=s.height_mm)
            for s in skus_of(session, product.id)]
    return ProductInput(title=product.title, description=product.description,
                        brand=product.brand, category_id=product.category_id,
                        attributes=dict(product.attributes), skus=skus)


def product_input(session: Session, shop: Shop, body: dict[str, Any],
                  base: ProductInput | None = None) -> ProductInput:
    """A full body (create, edit) or, with ``base``, a partial one."""
    partial = base is not None
    title = _text(body, "title", required=not partial)
    description = _text(body, "description", required=not partial)
    category = _category(session, body["category_id"]) if body.get("category_id") not in \
        (None, "") else (base.category_id if base else None)
    if category is None:
        raise OpenError(E.INVALID_PARAMETER, "category_id is required.")
    grams = _grams(body.get("package_weight"))
    raw_skus = _list(body, "skus")
    if not raw_skus and not partial:
        raise OpenError(E.INVALID_PARAMETER, "skus is required.")
    return ProductInput(
        title=title if title is not None else base.title,  # type: ignore[union-attr]
        description=description if description is not None
        else base.description,  # type: ignore[union-attr]
        brand=_brand(session, shop, body.get("brand_id")) if "brand_id" in body or not partial
        else base.brand,  # type: ignore[union-attr]
        category_id=category,
        attributes=product_attributes(session, category, _list(body, "product_attributes"))
        if "product_attributes" in body or not partial
        else dict(base.attributes),  # type: ignore[union-attr]
        skus=sku_inputs(session, shop, category, raw_skus, grams) if raw_skus
        else list(base.skus))  # type: ignore[union-attr]
