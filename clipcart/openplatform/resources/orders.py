"""Orders: search with filters and page tokens, detail by ids (``ids=a&ids=b`` or ``a,b``)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from clipcart.catalog.paging import decode_token, encode_token
from clipcart.errors import ValidationFailed
from clipcart.media import media_url
from clipcart.openplatform import errors as E
from clipcart.openplatform.errors import OpenError
from clipcart.openplatform.gateway import Call, partner
from clipcart.openplatform.resources.common import amount, an_id, page_size, unix
from clipcart.orders.models import ORDER_STATUSES, Order, OrderLine
from clipcart.orders.queries import order_detail
from clipcart.orders.service import lines_of

READ = "seller.order.info"
MAX_IDS = 50


def _line_items(order: Order, line: OrderLine) -> list[dict[str, Any]]:
    """One item per unit, as the Partner API lists them."""
    unit_discount = line.discount_minor // line.quantity if line.quantity else 0
    item = {
        "sku_id": str(line.sku_id), "product_id": str(line.product_id),
        "product_name": line.title, "seller_sku": line.seller_sku,
        "sku_name": ", ".join(f"{k}: {v}" for k, v in line.sku_attributes.items()),
        "sku_image": media_url(line.image_key) or "", "currency": order.currency,
        "sale_price": amount(line.unit_price_minor, order.currency, order.market),
        "original_price": amount(line.list_price_minor or line.unit_price_minor,
                                 order.currency, order.market),
        "seller_discount": amount(unit_discount, order.currency, order.market),
        "platform_discount": amount(0, order.currency, order.market),
        "display_status": order.status, "package_status": "TO_FULFILL", "is_gift": False,
        "sku_type": "NORMAL", "cancel_reason": order.cancel_reason or "",
        "cancel_user": (order.cancelled_by or "").upper()}
    return [{**item, "id": str(line.id) if n == 0 else f"{line.id}-{n}"}
            for n in range(line.quantity)]


def order_json(session: Session, order: Order, lines: list[OrderLine]) -> dict[str, Any]:
    money = lambda minor: amount(minor, order.currency, order.market)  # noqa: E731
    original = sum((ln.list_price_minor or ln.unit_price_minor) * ln.quantity for ln in lines)
    discount = sum(ln.discount_minor for ln in lines)
    address = order_detail(session, order).address
    lines_text = [address.get(k, "") for k in ("line1", "line2", "city", "region",
                                                "postal_code", "country")]
    return {
        "id": str(order.id), "status": order.status, "user_id": str(order.buyer_user_id),
        "create_time": unix(order.created_at), "update_time": unix(order.updated_at),
        "paid_time": unix(order.paid_at), "is_on_hold_order": order.status == "ON_HOLD",
        "fulfillment_type": "FULFILLMENT_BY_SELLER", "delivery_type": "HOME_DELIVERY",
        "shipping_type": "SELLER", "is_cod": False, "is_sample_order": False,
        "buyer_message": "", "seller_note": "", "payment_method_name": "Card",
        "cancel_reason": order.cancel_reason or "",
        "cancellation_initiator": (order.cancelled_by or "").upper(),
        "packages": [],
        "payment": {"currency": order.currency, "sub_total": money(order.subtotal_minor),
                    "shipping_fee": money(order.shipping_minor),
                    "original_shipping_fee": money(order.shipping_minor),
                    "original_total_product_price": money(original),
                    "seller_discount": money(discount), "platform_discount": money(0),
                    "tax": money(order.tax_minor), "product_tax": money(order.tax_minor),
                    "shipping_fee_tax": money(0), "total_amount": money(order.total_minor)},
        "recipient_address": {
            "name": address.get("name", ""), "phone_number": address.get("phone", ""),
            "address_line1": address.get("line1", ""), "address_line2": address.get("line2", ""),
            "postal_code": address.get("postal_code", ""),
            "region_code": address.get("country", order.market),
            "full_address": ", ".join(p for p in lines_text if p),
            "district_info": [{"address_level_name": "city", "address_name":
                               address.get("city", ""), "address_level": "L1"}]},
        "line_items": [item for line in lines for item in _line_items(order, line)]}


def _when(body: dict[str, Any], name: str) -> datetime | None:
    raw = body.get(name)
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise OpenError(E.INVALID_PARAMETER, f"{name} is Unix seconds.")
    return datetime.fromtimestamp(raw, UTC)


@partner("POST", "order", "orders/search", scope=READ, summary="Search orders")
def search_orders(session: Session, call: Call) -> dict[str, Any]:
    shop, body = call.shop_row, call.json()
    size = page_size(call.int_param("page_size", 20))
    ascending = (call.param("sort_order") or "DESC").upper() == "ASC"
    try:
        after = decode_token(call.param("page_token"))
    except ValidationFailed:
        raise OpenError(E.INVALID_PARAMETER, "page_token is not one this search gave.") from None
    query = select(Order).where(Order.shop_id == shop.id)
    status = body.get("order_status")
    if status is not None:
        if status not in ORDER_STATUSES:
            raise OpenError(E.INVALID_PARAMETER, f"order_status is one of "
                                                 f"{', '.join(ORDER_STATUSES)}.")
        query = query.where(Order.status == status)
    for name, column, lower in (("create_time_ge", Order.created_at, True),
                                ("create_time_lt", Order.created_at, False),
                                ("update_time_ge", Order.updated_at, True),
                                ("update_time_lt", Order.updated_at, False)):
        when = _when(body, name)
        if when is not None:
            query = query.where(column >= when if lower else column < when)
    if body.get("buyer_user_id"):
        query = query.where(Order.buyer_user_id == an_id(body["buyer_user_id"], "buyer_user_id"))
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    if after is not None:
        query = query.where(Order.id > after if ascending else Order.id < after)
    query = query.order_by(Order.id.asc() if ascending else Order.id.desc()).limit(size + 1)
    rows = list(session.execute(query).scalars())
    more, rows = len(rows) > size, rows[:size]
    lines = lines_of(session, [o.id for o in rows])
    return {"orders": [order_json(session, o, lines[o.id]) for o in rows], "total_count": total,
            "next_page_token": encode_token(rows[-1].id) if more else ""}


@partner("GET", "order", "orders", scope=READ, summary="Get order detail")
def get_orders(session: Session, call: Call) -> dict[str, Any]:
    wanted = [an_id(raw, "ids") for raw in call.param_list("ids")]
    if not wanted or len(wanted) > MAX_IDS:
        raise OpenError(E.INVALID_PARAMETER, f"ids names 1 to {MAX_IDS} orders.")
    found = {o.id: o for o in session.execute(select(Order).where(
        Order.shop_id == call.shop_row.id, Order.id.in_(wanted))).scalars()}
    lines = lines_of(session, list(found))
    return {"orders": [order_json(session, found[i], lines[i]) for i in dict.fromkeys(wanted)
                       if i in found]}


ROUTES = [search_orders, get_orders]
