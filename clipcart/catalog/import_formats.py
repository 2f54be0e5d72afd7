"""Reading a bulk import (API.md §5) into product drafts, JSON or CSV, without a database.

JSON: ``{"products": [{title, description, brand, category, attributes, images,
skus: [{seller_sku, attributes, price, list_price, stock, weight_g...}]}]}``.
CSV: one SKU a row. Columns: ``product_key`` (optional; rows are grouped by it, else by
title), ``title``, ``description``, ``brand``, ``category``, ``images`` (names separated
by ``|``), ``seller_sku``, ``price``, ``list_price``, ``weight_g``, ``option:<Name>`` (a
sales option value such as ``option:Colour``), ``attr:<Name>`` (a product attribute),
``stock`` (units in the default warehouse) or ``stock:<warehouse id>`` columns. Product
fields are read from a group's first row.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from typing import Any

MAX_PRODUCTS = 1000
DIMENSIONS = ("weight_g", "length_mm", "width_mm", "height_mm")


class FormatError(ValueError):
    """The file as a whole cannot be read (not one product's problem)."""


@dataclass
class SkuDraft:
    seller_sku: str
    price: str
    list_price: str | None = None
    attributes: dict[str, str] = field(default_factory=dict)
    stock: Any = None  # a number, {warehouse id: number} or None, checked when imported
    dimensions: dict[str, Any] = field(default_factory=dict)


@dataclass
class ProductDraft:
    ref: str  # where it came from: "product 3" or "rows 2-4"
    title: str
    description: str = ""
    brand: str = ""
    category: str = ""
    attributes: dict[str, str] = field(default_factory=dict)
    images: list[str] = field(default_factory=list)
    skus: list[SkuDraft] = field(default_factory=list)
    problem: str | None = None  # a reading error: the product is reported, not imported


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _sku_from_json(raw: Any) -> SkuDraft:
    if not isinstance(raw, dict):
        raise ValueError("each SKU is an object")
    attributes = raw.get("attributes") or {}
    if not isinstance(attributes, dict):
        raise ValueError("SKU attributes are an object of option name to value")
    list_price = _text(raw.get("list_price")) or None
    return SkuDraft(_text(raw.get("seller_sku")), _text(raw.get("price")), list_price,
                    {str(k): _text(v) for k, v in attributes.items()}, raw.get("stock"),
                    {k: raw[k] for k in DIMENSIONS if raw.get(k) is not None})


def _product_from_json(index: int, raw: Any) -> ProductDraft:
    ref = f"product {index}"
    if not isinstance(raw, dict):
        return ProductDraft(ref, "", problem="Each product is a JSON object.")
    draft = ProductDraft(ref, _text(raw.get("title")), _text(raw.get("description")),
                         _text(raw.get("brand")), _text(raw.get("category")))
    try:
        attributes = raw.get("attributes") or {}
        images = raw.get("images") or []
        skus = raw.get("skus") or []
        if not isinstance(attributes, dict) or not isinstance(images, list) \
                or not isinstance(skus, list):
            raise ValueError("attributes is an object, images and skus are lists")
        draft.attributes = {str(k): _text(v) for k, v in attributes.items()}
        draft.images = [_text(i) for i in images]
        draft.skus = [_sku_from_json(s) for s in skus]
    except ValueError as exc:
        draft.problem = f"Unreadable product: {exc}."
    return draft


def read_json(data: bytes) -> list[ProductDraft]:
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FormatError(f"This is not valid JSON ({exc}).") from None
    products = document.get("products") if isinstance(document, dict) else None
    if not isinstance(products, list):
        raise FormatError('The JSON needs a "products" list.')
    if len(products) > MAX_PRODUCTS:
        raise FormatError(f"At most {MAX_PRODUCTS} products in one import.")
    return [_product_from_json(i, p) for i, p in enumerate(products, start=1)]


def _stock_of(row: dict[str, str]) -> Any:
    per_warehouse = {k.split(":", 1)[1].strip(): v.strip() for k, v in row.items()
                     if k.startswith("stock:") and v and v.strip()}
    if per_warehouse:
        return {w: int(n) if n.lstrip("-").isdigit() else n for w, n in per_warehouse.items()}
    single = _text(row.get("stock"))
    if not single:
        return None
    return int(single) if single.lstrip("-").isdigit() else single


def _sku_from_row(row: dict[str, str]) -> SkuDraft:
    options = {k.split(":", 1)[1].strip(): v.strip() for k, v in row.items()
               if k.startswith("option:") and v and v.strip()}
    dimensions: dict[str, Any] = {}
    for name in DIMENSIONS:
        value = _text(row.get(name))
        if value:
            dimensions[name] = int(value) if value.isdigit() else value
    return SkuDraft(_text(row.get("seller_sku")), _text(row.get("price")),
                    _text(row.get("list_price")) or None, options, _stock_of(row), dimensions)


def read_csv(data: bytes) -> list[ProductDraft]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FormatError("The CSV must be UTF-8 text.") from None
    reader = csv.DictReader(io.StringIO(text))
    columns = [c.strip() for c in reader.fieldnames or []]
    missing = [c for c in ("title", "seller_sku", "price") if c not in columns]
    if missing:
        raise FormatError(f"The CSV needs the columns {', '.join(missing)} (found: "
                          f"{', '.join(columns) or 'none'}).")
    groups: dict[str, tuple[list[int], list[dict[str, str]]]] = {}
    for number, raw in enumerate(reader, start=2):  # row 1 is the header
        row = {(k or "").strip(): (v or "") for k, v in raw.items() if k is not None}
        if not any(v.strip() for v in row.values()):
            continue
        key = _text(row.get("product_key")) or _text(row.get("title"))
        lines, rows = groups.setdefault(key, ([], []))
        lines.append(number)
        rows.append(row)
    if len(groups) > MAX_PRODUCTS:
        raise FormatError(f"At most {MAX_PRODUCTS} products in one import.")
    drafts = []
    for lines, rows in groups.values():
        first = rows[0]
        ref = f"row {lines[0]}" if len(lines) == 1 else f"rows {', '.join(map(str, lines))}"
        draft = ProductDraft(
            ref, _text(first.get("title")), _text(first.get("description")),
            _text(first.get("brand")), _text(first.get("category")),
            {k.split(":", 1)[1].strip(): v.strip() for k, v in first.items()
             if k.startswith("attr:") and v.strip()},
            [i.strip() for i in _text(first.get("images")).split("|") if i.strip()])
        draft.skus = [_sku_from_row(r) for r in rows]
        drafts.append(draft)
    return drafts


def read_any(filename: str, data: bytes) -> list[ProductDraft]:
    name = filename.lower()
    if name.endswith(".json"):
        return read_json(data)
    if name.endswith(".csv"):
        return read_csv(data)
    raise FormatError("Import a .json or .csv file (or a .zip holding one, with its images).")
