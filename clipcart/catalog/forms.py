"""The product editor's form: parsed into a ``ProductInput``, and rendered back.

The editor posts everything, including the variant matrix: one row per combination of
option values, keyed by the combination, so regenerating the matrix (new option values)
keeps what the seller already typed into the rows that still exist.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from clipcart.catalog.inputs import (
    DIMENSIONS,
    MAX_OPTIONS,
    OptionInput,
    ProductInput,
    SkuInput,
    variant_matrix,
)
from clipcart.catalog.seller_views import SellerProductView
from clipcart.errors import ValidationFailed
from clipcart.ids import parse_id
from clipcart.markets import market
from clipcart.money import Money

ROW_FIELDS = ("code", "price", "list_price", *DIMENSIONS)


@dataclass
class MatrixRow:
    attributes: dict[str, str]
    values: dict[str, str] = field(default_factory=dict)  # ROW_FIELDS -> text
    stock: dict[int, str] = field(default_factory=dict)  # warehouse id -> text

    @property
    def key(self) -> str:
        return json.dumps(self.attributes, ensure_ascii=False, sort_keys=True)

    @property
    def label(self) -> str:
        return " / ".join(self.attributes.values()) or "Default"

    @property
    def blank(self) -> bool:
        return not any(self.values.get(name, "").strip() for name in ("code", "price"))


@dataclass
class EditorState:
    title: str = ""
    description: str = ""
    brand: str = ""
    category_id: str = ""
    attributes: dict[str, str] = field(default_factory=dict)
    options: list[tuple[str, str]] = field(default_factory=list)  # name, "Red, Blue"
    rows: list[MatrixRow] = field(default_factory=list)

    def padded_options(self) -> list[tuple[str, str]]:
        return (self.options + [("", "")] * MAX_OPTIONS)[:MAX_OPTIONS]


def _split_values(text: str) -> list[str]:
    values: list[str] = []
    for part in text.split(","):
        clean = " ".join(part.split())
        if clean and clean.casefold() not in {v.casefold() for v in values}:
            values.append(clean)
    return values


def _options(form: Mapping[str, str]) -> list[tuple[str, str]]:
    options = []
    for i in range(MAX_OPTIONS):
        name = " ".join(form.get(f"opt{i}_name", "").split())
        values = form.get(f"opt{i}_values", "")
        if name or values.strip():
            options.append((name, values))
    return options


def state_from_form(form: Mapping[str, str], warehouse_ids: Sequence[int]) -> EditorState:
    """What the seller posted; the matrix is regenerated from the options they typed."""
    state = EditorState(title=form.get("title", ""), description=form.get("description", ""),
                        brand=form.get("brand", ""), category_id=form.get("category_id", ""),
                        attributes={k[5:]: v for k, v in form.items() if k.startswith("attr:")},
                        options=_options(form))
    posted: dict[str, MatrixRow] = {}
    rows = form.get("rows", "0").strip()
    for i in range(min(int(rows), 500) if rows.isdigit() and len(rows) < 6 else 0):
        try:
            attrs = json.loads(form.get(f"sku{i}_combo", "{}"))
        except ValueError:
            continue
        if not isinstance(attrs, dict):
            continue
        row = MatrixRow({str(k): str(v) for k, v in attrs.items()},
                        {name: form.get(f"sku{i}_{name}", "") for name in ROW_FIELDS},
                        {wh: form.get(f"sku{i}_stock_{wh}", "") for wh in warehouse_ids})
        posted[row.key] = row
    named = [{"name": n, "values": _split_values(v)} for n, v in state.options if n]
    combos = variant_matrix([o for o in named if o["values"]]) if named else [{}]
    for attrs in combos:
        fresh = MatrixRow(attrs)
        state.rows.append(posted.get(fresh.key, fresh))
    return state


def state_from_product(view: SellerProductView, market_code: str) -> EditorState:
    product = view.product
    digits = market(market_code).price_digits
    by_combo = {json.dumps(s.attributes, ensure_ascii=False, sort_keys=True): s
                for s in view.skus}
    state = EditorState(title=product.title, description=product.description,
                        brand=product.brand,
                        category_id=str(product.category_id or ""),
                        attributes={k: str(v) for k, v in product.attributes.items()},
                        options=[(o["name"], ", ".join(o["values"])) for o in product.options])
    for attrs in variant_matrix(product.options) if product.options else [{}]:
        row = MatrixRow(attrs)
        sku = by_combo.get(row.key)
        if sku is not None:
            row.values = {
                "code": sku.seller_sku,
                "price": Money(sku.price_minor, sku.currency).amount_str(digits),
                "list_price": Money(sku.list_price_minor, sku.currency).amount_str(digits)
                if sku.list_price_minor is not None else "",
                **{name: str(getattr(sku, name) or "") for name in DIMENSIONS}}
            row.stock = {wh: str(qty) for wh, qty in view.stock.get(sku.id, {}).items()}
        state.rows.append(row)
    return state


def _int(text: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    if not text.isdigit() or len(text) > 12:
        raise ValidationFailed(f"{text!r} is not a whole number.", field="skus")
    return int(text)


def _whole(text: str, what: str, name: str) -> int | None:
    try:
        return _int(text)
    except ValidationFailed:
        raise ValidationFailed(f"{what}: {text.strip()!r} is not a whole number.",
                               field=name) from None


def product_input(state: EditorState) -> ProductInput:
    """The service's input from the editor; rows left blank are combinations not sold."""
    options = [OptionInput(name, _split_values(values)) for name, values in state.options]
    for option in options:
        if not option.name:
            raise ValidationFailed("Give each option a name, such as Colour or Size.",
                                   field="options")
        if not option.values:
            raise ValidationFailed(f"{option.name} needs at least one value, such as "
                                   "“Red, Blue”.", field="options")
    skus = []
    for row in state.rows:
        if row.blank:
            continue
        code, price = row.values.get("code", "").strip(), row.values.get("price", "").strip()
        if not code or not price:
            raise ValidationFailed(f"{row.label}: fill in the seller SKU and the price, or "
                                   "leave the row empty to not sell it.", field="skus")
        stock: dict[int, int] = {}
        for warehouse_id, text in row.stock.items():
            units = _whole(text, f"{row.label} stock", "stock")
            if units is not None:
                stock[warehouse_id] = units
        skus.append(SkuInput(
            seller_sku=code, price=price,
            list_price=row.values.get("list_price", "").strip() or None,
            attributes=dict(row.attributes),
            **{name: _whole(row.values.get(name, ""), f"{row.label} {name.split('_')[0]}", name)
               for name in DIMENSIONS},
            stock=stock or None))
    if not skus:
        raise ValidationFailed("Fill in at least one variant: a seller SKU and a price.",
                               field="skus")
    category = state.category_id.strip()
    category_id = parse_id(category) if category else None
    if category and category_id is None:
        raise ValidationFailed("Choose a category from the list.", field="category_id")
    return ProductInput(title=state.title, description=state.description, brand=state.brand,
                        category_id=category_id, attributes=dict(state.attributes),
                        options=options,
                        skus=skus)
