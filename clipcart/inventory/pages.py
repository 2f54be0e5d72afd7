"""Seller Center inventory pages: stock list with inline adjust, movements, CSV upload."""

from __future__ import annotations

import csv
import io
import secrets
from collections.abc import Iterator, Sequence
from typing import Annotated, Any
from urllib.parse import urlencode

from litestar import Request, Response, Router, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery
from litestar.response import Redirect, Stream, Template
from sqlalchemy.orm import Session

import clipcart.inventory.dashboard  # noqa: F401  (registers the dashboard card)
from clipcart.db import transaction
from clipcart.errors import Conflict, DomainError, NotFound, ValidationFailed
from clipcart.ids import parse_id
from clipcart.inventory import bulk, idempotency, queries, service
from clipcart.inventory.warehouse_pages import routes as warehouse_routes
from clipcart.shops.models import Shop
from clipcart.shops.seller_center import layout_context, open_shop
from clipcart.web.auth import CurrentUser, requires_user

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
Upload = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)]
SellerRequest = Request[CurrentUser, Any, Any]


def shop_id_of(raw: str) -> int:
    value = parse_id(raw)
    if value is None:
        raise NotFound("No such shop.")
    return value


def id_field(data: dict[str, str], name: str) -> int:
    value = parse_id(data.get(name, "").strip())
    if value is None:
        raise NotFound(f"No such {name.removesuffix('_id')} in this shop.")
    return value


def whole_field(data: dict[str, str], name: str, label: str) -> int | None:
    raw = data.get(name, "").strip()
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 10:
        raise ValidationFailed(f"{label} must be a whole number of 0 or more.", field=name)
    return int(raw)


def _list_url(shop_id: int, low: bool, page_token: str | None, **extra: str) -> str:
    params = {k: v for k, v in {"low": "1" if low else "", "page_token": page_token or "",
                                **extra}.items() if v}
    return f"/seller/{shop_id}/inventory" + (f"?{urlencode(params)}" if params else "")


def _list_context(session: Session, user: CurrentUser, shop: Shop, *, low: bool,
                  page_token: str | None, page_size: int | None) -> dict[str, Any]:
    size = queries.page_size_of(page_size)
    page = queries.inventory_page(session, shop.id, low_only=low, page_token=page_token,
                                  page_size=size)
    return {**layout_context(session, user, shop, "inventory"), "page": page, "low": low,
            "form_key": secrets.token_urlsafe(12),
            "page_token": page_token or "", "page_size": size,
            "next_url": _list_url(shop.id, low, page.next_page_token)
            if page.next_page_token else None,
            "first_url": _list_url(shop.id, low, None) if page_token else None}


@get("/inventory", sync_to_thread=True)
def inventory_list(shop_id: FromPath[str], request: SellerRequest,
                   low: FromQuery[str | None] = None,
                   page_token: FromQuery[str | None] = None,
                   page_size: FromQuery[int | None] = None,
                   saved: FromQuery[str | None] = None) -> Template:
    with transaction() as session:
        shop = open_shop(session, request.user, shop_id_of(shop_id))
        context = _list_context(session, request.user, shop, low=bool(low),
                                page_token=page_token, page_size=page_size)
    return Template("inventory/list.html", context={**context, "saved": bool(saved),
                                                    "error": None})


def _adjust(session: Session, shop: Shop, user: CurrentUser, data: dict[str, str]) -> None:
    sku_id, warehouse_id = id_field(data, "sku_id"), id_field(data, "warehouse_id")
    quantity = whole_field(data, "quantity", "The quantity")
    threshold = whole_field(data, "threshold", "The low-stock threshold")
    if threshold is not None and data.get("threshold_was") == str(threshold):
        threshold = None  # unchanged: the form always sends the current value back
    mode = data.get("mode", "set")
    if mode not in ("set", "add", "remove"):
        raise ValidationFailed("Choose set, add or remove.", field="mode")
    if threshold is None and (quantity is None or (quantity == 0 and mode != "set")):
        raise ValidationFailed("Enter a number of units." if mode == "set" else
                               f"Enter how many units to {mode}.", field="quantity")
    note = data.get("note", "").strip()
    if quantity is not None and mode == "set":
        service.set_on_hand(session, shop_id=shop.id, sku_id=sku_id, warehouse_id=warehouse_id,
                            quantity=quantity, actor_user_id=user.id, note=note)
    elif quantity:
        service.adjust_stock(session, shop_id=shop.id, sku_id=sku_id,
                             warehouse_id=warehouse_id, actor_user_id=user.id, note=note,
                             delta=quantity if mode == "add" else -quantity)
    if threshold is not None:
        service.set_low_stock_threshold(session, shop_id=shop.id, sku_id=sku_id,
                                        warehouse_id=warehouse_id, threshold=threshold)


def _adjust_once(session: Session, shop: Shop, user: CurrentUser, data: dict[str, str]) -> None:
    """Each rendered form carries a one-time key: a double submit (a double click, a resent
    request) applies the change once."""
    key = data.get("form_key", "").strip()
    body = {k: v for k, v in data.items() if k not in ("_csrf_token", "form_key", "low",
                                                       "page_token")}
    if key:
        key = f"adjust:{key}:{data.get('sku_id', '')}:{data.get('warehouse_id', '')}"[:255]

    def work() -> idempotency.Answer:
        _adjust(session, shop, user, data)
        return idempotency.Answer(200, {})

    try:
        idempotency.once(session, shop.id, key or None, body, work)
    except DomainError as exc:
        if exc.code == "IDEMPOTENCY_MISMATCH":
            raise Conflict("This form was already used for another change; reload the page "
                           "and try again.", code="FORM_ALREADY_USED") from None
        raise


@post("/inventory/adjust", sync_to_thread=True)
def inventory_adjust(shop_id: FromPath[str], data: Form, request: SellerRequest) -> Response[Any]:
    """Set, add or remove units of one SKU in one warehouse. htmx gets the SKU's rows back;
    a plain form post is redirected to the list (or shown the list with the error)."""
    user = request.user
    htmx = request.headers.get("hx-request") == "true"
    with transaction() as session:
        shop = open_shop(session, user, shop_id_of(shop_id))
        queries.inventory_row(session, shop.id, id_field(data, "sku_id"))  # 404 for others'
    error: DomainError | None = None
    try:
        with transaction() as session:
            _adjust_once(session, shop, user, data)
    except NotFound:
        raise
    except DomainError as exc:
        error = exc
    low, token = bool(data.get("low")), data.get("page_token") or None
    status = error.status if error else 200
    with transaction() as session:
        if htmx:
            warehouses, row = queries.inventory_row(session, shop.id, id_field(data, "sku_id"))
            return Template("inventory/_sku_rows.html", status_code=status, context={
                "shop": shop, "row": row, "warehouses": warehouses, "low": low,
                "form_key": secrets.token_urlsafe(12),
                "page_token": token or "", "error": error.detail if error else None,
                "error_warehouse": data.get("warehouse_id"), "saved": error is None})
        if error is None:
            return Redirect(_list_url(shop.id, low, token, saved="1"), status_code=303)
        context = _list_context(session, user, shop, low=low, page_token=token, page_size=None)
    return Template("inventory/list.html", status_code=status,
                    context={**context, "saved": False, "error": error.detail if error else None})


@get("/inventory/{sku_id:str}/movements", sync_to_thread=True)
def movements(shop_id: FromPath[str], sku_id: FromPath[str], request: SellerRequest,
              page_token: FromQuery[str | None] = None,
              page_size: FromQuery[int | None] = None) -> Template:
    with transaction() as session:
        shop = open_shop(session, request.user, shop_id_of(shop_id))
        sku = parse_id(sku_id)
        if sku is None:
            raise NotFound("No such SKU in this shop.")
        page = queries.movements_page(session, shop.id, sku, page_token=page_token,
                                      page_size=queries.page_size_of(page_size))
        _, row = queries.inventory_row(session, shop.id, sku)
        context = layout_context(session, request.user, shop, "inventory")
    next_url = (f"/seller/{shop.id}/inventory/{sku}/movements?page_token={page.next_page_token}"
                if page.next_page_token else None)
    return Template("inventory/movements.html", context={**context, "page": page, "row": row,
                                                         "next_url": next_url,
                                                         "paged": bool(page_token)})


def _csv_line(values: Sequence[str]) -> bytes:
    out = io.StringIO()
    # A leading =, +, - or @ would run as a formula in a spreadsheet: quote it away.
    csv.writer(out).writerow(["'" + v if v[:1] in ("=", "+", "-", "@") else v for v in values])
    return out.getvalue().encode()


@get("/inventory/export.csv", sync_to_thread=True)
def export_csv(shop_id: FromPath[str], request: SellerRequest) -> Stream:
    """Current stock in the upload's format: download, edit the quantities, upload."""
    with transaction() as session:
        shop = open_shop(session, request.user, shop_id_of(shop_id))

    def lines() -> Iterator[bytes]:
        yield _csv_line(bulk.EXPORT_COLUMNS)
        before: int | None = None
        while True:
            with transaction() as session:
                rows, before = bulk.export_rows(session, shop.id, before=before, limit=500)
            for row in rows:
                yield _csv_line(row)
            if before is None:
                return

    return Stream(lines(), media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="stock-{shop.id}.csv"'})


@get("/inventory/upload", sync_to_thread=True)
def upload_page(shop_id: FromPath[str], request: SellerRequest) -> Template:
    with transaction() as session:
        shop = open_shop(session, request.user, shop_id_of(shop_id))
        context = layout_context(session, request.user, shop, "inventory")
        warehouses = service.warehouses_of(session, shop.id)
    return Template("inventory/upload.html", context={**context, "warehouses": warehouses,
                                                      "report": None, "error": None})


@post("/inventory/upload", sync_to_thread=True)
def upload_submit(shop_id: FromPath[str], data: Upload, request: SellerRequest) -> Template:
    """Apply a CSV of counted stock; valid rows are applied, each bad row is reported."""
    user = request.user
    with transaction() as session:
        shop = open_shop(session, user, shop_id_of(shop_id))
    report, error = None, None
    upload = data.get("file")
    try:
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise ValidationFailed("Choose a CSV file to upload.", field="file")
        content = upload.file.read()
        with transaction() as session:
            report = bulk.upload_csv(session, shop.id, content, actor_user_id=user.id)
    except DomainError as exc:
        error = exc
    with transaction() as session:
        context = layout_context(session, user, shop, "inventory")
        warehouses = service.warehouses_of(session, shop.id)
    return Template("inventory/upload.html", status_code=error.status if error else 200,
                    context={**context, "warehouses": warehouses, "report": report,
                             "error": error.detail if error else None})


router = Router(path="/seller/{shop_id:str}", guards=[requires_user], include_in_schema=False,
                route_handlers=[inventory_list, inventory_adjust, movements, export_csv,
                                upload_page, upload_submit, *warehouse_routes])
