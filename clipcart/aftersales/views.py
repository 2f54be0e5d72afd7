"""JSON shapes of returns and cancellations (TikTok Shop's field names where they exist)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from clipcart.aftersales.models import AftersalesHistory
from clipcart.aftersales.queries import CancellationRow, ReturnRow
from clipcart.aftersales.reasons import BUYER_REASONS, PACKAGE_REJECT_REASONS, SELLER_REJECT_REASONS
from clipcart.markets import market
from clipcart.media import media_url
from clipcart.money import Money

API_TYPE = {"REFUND": "REFUND_ONLY", "RETURN_AND_REFUND": "RETURN_AND_REFUND"}


def at(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat().replace("+00:00", "Z")


def _money(minor: int, currency: str, market_code: str) -> dict[str, str]:
    return market(market_code).as_json(Money(minor, currency))


def return_json(row: ReturnRow, timeline: list[AftersalesHistory] | None = None
                ) -> dict[str, Any]:
    r = row.req

    def m(minor: int) -> dict[str, str]:
        return _money(minor, r.currency, r.market)

    action = row.action
    answer: dict[str, Any] = {
        "id": str(r.id), "order_id": str(r.order_id), "shop_id": str(r.shop_id),
        "type": API_TYPE[r.return_type], "return_type": r.return_type,
        "status": r.status, "arbitration_status": r.arbitration_status,
        "reason": r.reason, "reason_text": BUYER_REASONS.get(r.reason, r.reason),
        "note": r.note, "photos": [media_url(key) for key in r.photos],
        "refund": {"total": m(r.refund_total_minor), "subtotal": m(r.refund_subtotal_minor),
                   "shipping": m(r.refund_shipping_minor), "tax": m(r.refund_tax_minor)},
        "lines": [{"id": str(li.id), "line_id": str(li.order_line_id),
                   "sku_id": str(li.sku_id), "product_id": str(li.product_id),
                   "title": li.title, "seller_sku": li.seller_sku, "quantity": li.quantity,
                   "refund": {"total": m(li.refund_total_minor),
                              "subtotal": m(li.refund_subtotal_minor),
                              "tax": m(li.refund_tax_minor)}} for li in row.lines],
        "reject_reason": r.reject_reason,
        "reject_reason_text": (SELLER_REJECT_REASONS | PACKAGE_REJECT_REASONS).get(
            r.reject_reason or "") if r.reject_reason else None,
        "reject_comment": r.reject_comment,
        "return_tracking_number": r.return_tracking_number,
        "return_provider": r.return_provider,
        "item_delivered_at": at(r.item_delivered_at), "restocked": r.restocked,
        "next_action": {"action": action[0], "deadline": at(action[1])} if action else None,
        "outcome": r.outcome, "created_at": at(r.created_at), "updated_at": at(r.updated_at),
        "closed_at": at(r.closed_at)}
    if timeline is not None:
        answer["timeline"] = [{"event": h.event, "from": h.from_status, "status": h.to_status,
                               "actor": h.actor, "note": h.note, "at": at(h.created_at)}
                              for h in timeline]
    return answer


def cancellation_json(row: CancellationRow) -> dict[str, Any]:
    c = row.c

    def m(minor: int) -> dict[str, str]:
        return _money(minor, c.currency, c.market)

    return {"id": str(c.id), "order_id": str(c.order_id), "shop_id": str(c.shop_id),
            "cancel_type": c.cancel_type, "role": c.role, "status": c.status,
            "reason": c.reason,
            "refund": {"total": m(c.refund_total_minor), "subtotal": m(c.refund_subtotal_minor),
                       "shipping": m(c.refund_shipping_minor), "tax": m(c.refund_tax_minor)},
            "lines": [{"id": str(li.id), "line_id": str(li.order_line_id),
                       "sku_id": str(li.sku_id), "title": li.title,
                       "seller_sku": li.seller_sku, "quantity": li.quantity,
                       "refund": {"total": m(li.refund_total_minor),
                                  "tax": m(li.refund_tax_minor)}} for li in row.lines],
            "created_at": at(c.created_at), "updated_at": at(c.updated_at)}
