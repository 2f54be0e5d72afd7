"""Product reads: get, search (with page tokens), inventory search."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from clipcart.catalog import service as catalog
from clipcart.catalog.models import Product, Sku
from clipcart.catalog.paging import decode_token, encode_token
from clipcart.errors import ValidationFailed
from clipcart.inventory import service as inventory
from clipcart.openplatform import errors as E
from clipcart.openplatform.errors import OpenError
from clipcart.openplatform.gateway import Call, partner
from clipcart.openplatform.resources.common import an_id, ids, page_size
from clipcart.openplatform.resources.product_view import product_json, search_row

READ = "seller.product.basic"


@partner("GET", "product", "products/{product_id:str}", scope=READ, summary="Get a product")
def get_product(session: Session, call: Call) -> dict[str, Any]:
    product = catalog.product_of_shop(session, call.shop_row.id,
                                      an_id(call.path_params.get("product_id"), "product_id"))
    return product_json(session, product)


def _time(body: dict[str, Any], name: str) -> datetime | None:
    raw = body.get(name)
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise OpenError(E.INVALID_PARAMETER, f"{name} is Unix seconds.")
    return datetime.fromtimestamp(raw, UTC)


@partner("POST", "product", "products/search", scope=READ, summary="Search products")
def search_products(session: Session, call: Call) -> dict[str, Any]:
    shop, body = call.shop_row, call.json()
    size = page_size(call.int_param("page_size", 20))
    try:
        after = decode_token(call.param("page_token"))
    except ValidationFailed:
        raise OpenError(E.INVALID_PARAMETER, "page_token is not one this search gave.") from None
    query = select(Product).where(Product.shop_id == shop.id)
    status = body.get("status", "ALL")
    if status == "ALL":
        query = query.where(Product.status != "DELETED")
    elif isinstance(status, str):
        query = query.where(Product.status == status)
    else:
        raise OpenError(E.INVALID_PARAMETER, "status is a product status or ALL.")
    for name, column, op in (("create_time_ge", Product.created_at, "ge"),
                             ("create_time_le", Product.created_at, "le"),
                             ("update_time_ge", Product.updated_at, "ge"),
                             ("update_time_le", Product.updated_at, "le")):
        when = _time(body, name)
        if when is not None:
            query = query.where(column >= when if op == "ge" else column <= when)
    if body.get("seller_skus"):
        codes = [str(c) for c in body["seller_skus"]]
        query = query.where(Product.id.in_(select(Sku.product_id).where(
            Sku.shop_id == shop.id, Sku.seller_sku.in_(codes), Sku.removed.is_(False))))
    if body.get("sku_ids"):
        query = query.where(Product.id.in_(select(Sku.product_id).where(
            Sku.id.in_(ids(body["sku_ids"], "sku_ids")))))
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    if after is not None:
        query = query.where(Product.id < after)
    rows = list(session.execute(query.order_by(Product.id.desc()).limit(size + 1)).scalars())
    more = len(rows) > size
    rows = rows[:size]
    return {"products": [search_row(session, p) for p in rows], "total_count": total,
            "next_page_token": encode_token(rows[-1].id) if more else ""}


@partner("POST", "product", "inventory/search", scope=READ, summary="Search inventory")
def inventory_search(session: Session, call: Call) -> dict[str, Any]:
    shop, body = call.shop_row, call.json()
    query = select(Sku).where(Sku.shop_id == shop.id, Sku.removed.is_(False))
    if body.get("product_ids"):
        query = query.where(Sku.product_id.in_(ids(body["product_ids"], "product_ids")))
    elif body.get("sku_ids"):
        query = query.where(Sku.id.in_(ids(body["sku_ids"], "sku_ids")))
    else:
        raise OpenError(E.INVALID_PARAMETER, "product_ids or sku_ids is required.")
    skus = list(session.execute(query.order_by(Sku.product_id, Sku.position)).scalars())
    levels = inventory.levels_for_skus(session, [s.id for s in skus])
    by_product: dict[int, list[dict[str, Any]]] = {}
    for sku in skus:
        rows = [{"warehouse_id": str(w), "available_quantity": max(lv.on_hand - lv.reserved, 0),
                 "committed_quantity": lv.reserved}
                for w, lv in sorted(levels.get(sku.id, {}).items())]
        by_product.setdefault(sku.product_id, []).append({
            "id": str(sku.id), "seller_sku": sku.seller_sku, "warehouse_inventory": rows,
            "total_available_quantity": sum(r["available_quantity"] for r in rows),
            "total_committed_quantity": sum(r["committed_quantity"] for r in rows)})
    return {"inventory": [{"product_id": str(p), "skus": s} for p, s in by_product.items()]}


ROUTES = [search_products, get_product, inventory_search]
