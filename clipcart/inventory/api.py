"""Seller inventory API for sellers' own scripts: batch stock updates with Idempotency-Key."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Request, Response, Router, post
from litestar.params import FromPath, JSONBody

from clipcart.db import transaction
from clipcart.errors import NotFound
from clipcart.ids import parse_id
from clipcart.inventory import bulk, idempotency
from clipcart.shops import service as shops
from clipcart.web.auth import CurrentUser, requires_user

MAX_ITEMS = 500


class UpdateItem(msgspec.Struct, forbid_unknown_fields=True):
    quantity: Annotated[int, msgspec.Meta(ge=0)] | None = None
    sku_id: Annotated[str, msgspec.Meta(max_length=24)] | None = None
    seller_sku: Annotated[str, msgspec.Meta(max_length=64)] | None = None
    warehouse_id: Annotated[str, msgspec.Meta(max_length=24)] | None = None
    low_stock_threshold: Annotated[int, msgspec.Meta(ge=0)] | None = None


class UpdatesBody(msgspec.Struct, forbid_unknown_fields=True):
    updates: Annotated[list[UpdateItem], msgspec.Meta(min_length=1, max_length=MAX_ITEMS)]


class ItemResult(msgspec.Struct, omit_defaults=True):
    index: int
    status: str  # "ok" or "error"
    sku_id: str | None = None
    seller_sku: str | None = None
    warehouse_id: str | None = None
    on_hand: int | None = None
    reserved: int | None = None
    available: int | None = None
    low_stock_threshold: int | None = None
    code: str | None = None
    message: str | None = None


def _to_update(index: int, item: UpdateItem) -> bulk.StockUpdate:
    errors = []
    if (item.sku_id is None) == (item.seller_sku is None):
        errors.append("Give either sku_id or seller_sku.")
    sku_id = parse_id(item.sku_id) if item.sku_id is not None else None
    if item.sku_id is not None and sku_id is None:
        errors.append("sku_id is not an id.")
    warehouse_id = parse_id(item.warehouse_id) if item.warehouse_id is not None else None
    if item.warehouse_id is not None and warehouse_id is None:
        errors.append("warehouse_id is not an id.")
    if item.quantity is None and item.low_stock_threshold is None:
        errors.append("Give a quantity or a low_stock_threshold.")
    return bulk.StockUpdate(row=index, quantity=item.quantity, sku_id=sku_id,
                            seller_sku=(item.seller_sku or "").strip(),
                            warehouse_id=warehouse_id,
                            low_stock_threshold=item.low_stock_threshold,
                            error=" ".join(errors))


def _result(result: bulk.UpdateResult) -> dict[str, Any]:
    item = ItemResult(
        index=result.row, status="ok" if result.ok else "error",
        sku_id=str(result.sku_id) if result.sku_id else None,
        seller_sku=result.seller_sku or None,
        warehouse_id=str(result.warehouse_id) if result.warehouse_id else None,
        on_hand=result.on_hand, reserved=result.reserved, available=result.available,
        low_stock_threshold=result.low_stock_threshold, code=result.code or None,
        message=result.message or None)
    return msgspec.to_builtins(item)


@post("/seller/shops/{shop_id:str}/inventory", status_code=200, sync_to_thread=True,
      guards=[requires_user], tags=["seller inventory"], summary="Update stock in bulk",
      description="Sets counted on-hand units (and optionally low-stock thresholds) per SKU "
                  "and warehouse (default warehouse when omitted). Each item is applied or "
                  "refused on its own; the answer has one result per item, in order. "
                  "Send an Idempotency-Key header to make retries safe.")
def update_inventory(shop_id: FromPath[str], data: JSONBody[UpdatesBody],
                     request: Request[CurrentUser, Any, Any]) -> Response[dict[str, Any]]:
    shop = parse_id(shop_id)
    if shop is None:
        raise NotFound("No such shop.")
    key = request.headers.get("idempotency-key")
    user: CurrentUser = request.user
    with transaction() as session:
        shops.require_staff(session, user.id, shop)

        def work() -> idempotency.Answer:
            report = bulk.apply_updates(
                session, shop, [_to_update(i, item) for i, item in enumerate(data.updates)],
                actor_user_id=user.id, reason="api")
            return idempotency.Answer(200, {"results": [_result(r) for r in report.results],
                                            "applied": report.applied,
                                            "failed": report.failed})

        answer = idempotency.once(session, shop, key, data, work)
    headers = {"Idempotent-Replayed": "true"} if answer.replayed else {}
    return Response(answer.body, status_code=answer.status, headers=headers)


router = Router(path="/", route_handlers=[update_inventory])
