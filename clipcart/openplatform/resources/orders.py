"""Orders: search with filters and page tokens, detail by ids (``ids=a&ids=b`` or ``a,b``)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from clipcart.media import media_url
from clipcart.openplatform import errors as E
from clipcart.openplatform.errors import OpenError
from clipcart.openplatform.gateway import Call, partner
from clipcart.openplatform.resources.common import amount, an_id, unix
from clipcart.openplatform.resources.package_view import PackageFacts, order_facts, unit_id
from clipcart.openplatform.resources.search import page
from clipcart.orders.models import ORDER_STATUSES, Order, OrderLine
from clipcart.orders.queries import order_detail
from clipcart.orders.service import lines_of

READ = "seller.order.info"
MAX_IDS = 50


def _line_items(order: Order, line: OrderLine,
                in_package: dict[str, PackageFacts]) -> list[dict[str, Any]]:
    """One item per unit, as the Partner API lists them, each with its package."""
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
    out = []
    for n in range(line.quantity):
        unit = unit_id(line.id, n)
        facts = in_package.get(unit)
        extra = {} if facts is None else {
            "package_id": str(facts.package.id), "package_status": facts.package.status,
            "tracking_number": facts.package.tracking_number or "",
            "shipping_provider_id": facts.provider[0],
            "shipping_provider_name": facts.provider[1]}
        out.append({**item, "id": unit, **extra})
    return out


def order_json(session: Session, order: Order, lines: list[OrderLine],
               packages: list[PackageFacts]) -> dict[str, Any]:
    in_package = {unit: facts for facts in packages for unit in facts.unit_ids}
    shipped = next((f for f in packages if f.package.tracking_number), None)
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
        "shipping_type": shipped.shipping_type if shipped else "SELLER", "is_cod": False,
        "is_sample_order": False,
        "buyer_message": "", "seller_note": "", "payment_method_name": "Card",
        "cancel_reason": order.cancel_reason or "",
        "cancellation_initiator": (order.cancelled_by or "").upper(),
        "packages": [{"id": str(f.package.id)} for f in packages],
        "tracking_number": (shipped.package.tracking_number or "") if shipped else "",
        "shipping_provider": shipped.provider[1] if shipped else "",
        "shipping_provider_id": shipped.provider[0] if shipped else "",
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
        "line_items": [item for line in lines
                       for item in _line_items(order, line, in_package)]}


@partner("POST", "order", "orders/search", scope=READ, summary="Search orders")
def search_orders(session: Session, call: Call) -> dict[str, Any]:
    shop, body = call.shop_row, call.json()
    query = select(Order).where(Order.shop_id == shop.id)
    status = body.get("order_status")
    if status is not None:
        if status not in ORDER_STATUSES:
            raise OpenError(E.INVALID_PARAMETER, f"order_status is one of "
                                                 f"{', '.join(ORDER_STATUSES)}.")
        query = query.where(Order.status == status)
    if body.get("buyer_user_id"):
        query = query.where(Order.buyer_user_id == an_id(body["buyer_user_id"], "buyer_user_id"))
    rows, total, token = page(session, call, query, Order, body, default_size=20,
                              max_size=100, strict_sort=False)
    lines = lines_of(session, [o.id for o in rows])
    facts = order_facts(session, [o.id for o in rows])
    return {"orders": [order_json(session, o, lines[o.id], facts[o.id]) for o in rows],
            "total_count": total, "next_page_token": token}


@partner("GET", "order", "orders", scope=READ, summary="Get order detail")
def get_orders(session: Session, call: Call) -> dict[str, Any]:
    wanted = [an_id(raw, "ids") for raw in call.param_list("ids")]
    if not wanted or len(wanted) > MAX_IDS:
        raise OpenError(E.INVALID_PARAMETER, f"ids names 1 to {MAX_IDS} orders.")
    found = {o.id: o for o in session.execute(select(Order).where(
        Order.shop_id == call.shop_row.id, Order.id.in_(wanted))).scalars()}
    lines = lines_of(session, list(found))
    facts = order_facts(session, list(found))
    return {"orders": [order_json(session, found[i], lines[i], facts[i])
                       for i in dict.fromkeys(wanted) if i in found]}


ROUTES = [search_orders, get_orders]
