"""Cancellations: search the records after-sales keeps of paid orders that were cancelled.

clipcart cancels an order at once (the buyer within the free window, the seller, the
system); a record is never pending, so there is nothing for an app to approve or reject."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from clipcart.aftersales.models import Cancellation, CancellationLine
from clipcart.aftersales.transitions import CANCEL_STATUSES
from clipcart.openplatform.gateway import Call, partner
from clipcart.openplatform.resources.common import unix
from clipcart.openplatform.resources.returns import SCOPE, refund
from clipcart.openplatform.resources.search import filtered, page

CANCEL_TYPES = ("CANCEL", "BUYER_CANCEL")


def _lines_of(session: Session, ids: list[int]) -> dict[int, list[CancellationLine]]:
    found: dict[int, list[CancellationLine]] = {i: [] for i in ids}
    if ids:
        for line in session.execute(select(CancellationLine).where(
                CancellationLine.cancellation_id.in_(ids)).order_by(CancellationLine.id)
                ).scalars():
            found[line.cancellation_id].append(line)
    return found


def cancellation_json(c: Cancellation, lines: list[CancellationLine]) -> dict[str, Any]:
    return {
        "cancel_id": str(c.id), "order_id": str(c.order_id), "cancel_type": c.cancel_type,
        "cancel_status": c.status, "role": c.role, "cancel_reason": c.reason,
        "cancel_reason_text": c.reason, "create_time": unix(c.created_at),
        "update_time": unix(c.updated_at), "seller_next_action_response": [],
        "should_replenish_stock": True,
        "refund_amount": refund(c.currency, c.market, c.refund_total_minor,
                                c.refund_subtotal_minor, c.refund_shipping_minor,
                                c.refund_tax_minor),
        "cancel_line_items": [{
            "cancel_line_item_id": str(line.id), "order_line_item_id": str(line.order_line_id),
            "sku_id": str(line.sku_id), "sku_name": line.title, "product_name": line.title,
            "seller_sku": line.seller_sku,
            "refund_amount": refund(c.currency, c.market, line.refund_total_minor,
                                    line.refund_total_minor - line.refund_tax_minor, 0,
                                    line.refund_tax_minor)} for line in lines]}


@partner("POST", "return_refund", "cancellations/search", scope=SCOPE,
         summary="Search cancellations")
def search_cancellations(session: Session, call: Call) -> dict[str, Any]:
    body = call.json()
    query = filtered(
        select(Cancellation).where(Cancellation.shop_id == call.shop_row.id), body,
        ids=(("cancel_ids", Cancellation.id), ("order_ids", Cancellation.order_id),
             ("buyer_user_ids", Cancellation.buyer_user_id)),
        words=(("cancel_types", Cancellation.cancel_type, CANCEL_TYPES),
               ("cancel_status", Cancellation.status, CANCEL_STATUSES)))
    rows, total, token = page(session, call, query, Cancellation, body)
    lines = _lines_of(session, [c.id for c in rows])
    return {"cancellations": [cancellation_json(c, lines[c.id]) for c in rows],
            "total_count": total, "next_page_token": token}


ROUTES = [search_cancellations]
