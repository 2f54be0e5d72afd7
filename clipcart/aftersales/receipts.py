"""The item's way back: the buyer ships it, the carrier delivers it, the seller checks it.

The seller's receipt timer (seller_receipt_confirm_days) starts when the carrier reports the
return delivered; confirming the receipt pays the refund and, if asked, puts the units back
on the shelf through inventory's service.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from clipcart import clock
from clipcart.aftersales import shipping
from clipcart.aftersales.models import ReturnRequest
from clipcart.aftersales.reasons import PACKAGE_REJECT_REASONS, seller_reason
from clipcart.aftersales.service import (
    _history,
    _schedule_refund,
    buyer_return,
    get,
    lines_of,
    move,
    rule_days,
    rule_hours,
    shop_return,
)
from clipcart.aftersales.transitions import (
    AWAITING_BUYER_SHIP,
    BUYER_SHIPPED_ITEM,
    REJECT_RECEIVE_PACKAGE,
    SUCCESS,
)
from clipcart.checkout.service import reservation_reference
from clipcart.errors import Conflict
from clipcart.inventory import service as inventory


def ship_back(session: Session, buyer_user_id: int, return_id: int, *,
              carrier_code: str | None = None,
              tracking_number: str | None = None) -> ReturnRequest:
    """The buyer hands the item to a carrier, within buyer_return_ship_days of approval:
    a platform label, or (with ``tracking_number``) the buyer's own parcel."""
    req = buyer_return(session, buyer_user_id, return_id)
    if req.status != AWAITING_BUYER_SHIP:
        raise Conflict(f"The return is {req.status}; it is not waiting for the item.",
                       code="RETURN_STATE_CHANGED")
    if req.due_at is not None and clock.now() > req.due_at:
        raise Conflict("The time to send the item back has passed.",
                       code="RETURN_SHIP_WINDOW_CLOSED")
    booked = shipping.book_return(session, req, carrier_code=carrier_code,
                                  tracking_number=tracking_number)
    return move(session, req.id, BUYER_SHIPPED_ITEM, actor="buyer", event="BUYER_SHIPPED",
                note=f"{booked.carrier_code} {booked.tracking_number}",
                expected=frozenset({AWAITING_BUYER_SHIP}), due_at=booked.receipt_due_at,
                return_shipment_id=booked.shipment_id,
                return_tracking_number=booked.tracking_number,
                return_provider=booked.carrier_code)


def return_delivered(session: Session, return_id: int, at: datetime) -> bool:
    """The carrier delivered the item back to the seller: the receipt timer starts.

    A repeated report changes nothing (the first delivery time stands)."""
    req = get(session, return_id)
    if req.status != BUYER_SHIPPED_ITEM or req.item_delivered_at is not None:
        return False
    done = session.execute(
        update(ReturnRequest).where(ReturnRequest.id == req.id,
                                    ReturnRequest.status == BUYER_SHIPPED_ITEM,
                                    ReturnRequest.item_delivered_at.is_(None))
        .values(item_delivered_at=at, due_at=at + rule_days("seller_receipt_confirm_days"),
                updated_at=clock.now())
        .returning(ReturnRequest.id).execution_options(synchronize_session=False)).first()
    if done is None:
        return False
    _history(session, req.id, req.status, req.status, "RETURN_DELIVERED", "carrier",
             f"{req.return_provider or ''} {req.return_tracking_number or ''}".strip())
    session.flush()
    return True


def _restock(session: Session, req: ReturnRequest, actor_user_id: int | None) -> None:
    held = inventory.get_reservation(session, reservation_reference(req.order_id))
    source = {line.sku_id: line.warehouse_id for line in (held.lines if held else ())}
    default = inventory.default_warehouse(session, req.shop_id)
    for line in lines_of(session, [req.id])[req.id]:
        warehouse_id = source.get(line.sku_id) or (default.id if default else None)
        if warehouse_id is None:
            raise Conflict("The shop has no warehouse to restock into.", code="NO_WAREHOUSE")
        inventory.adjust_stock(session, shop_id=req.shop_id, sku_id=line.sku_id,
                               warehouse_id=warehouse_id, delta=line.quantity,
                               actor_user_id=actor_user_id, reason="return_restock",
                               note=f"return {req.id}", reference=f"return:{req.id}")


def confirm_receipt(session: Session, shop_id: int, return_id: int, *, actor: str,
                    actor_user_id: int | None, restock: bool) -> ReturnRequest:
    """The seller has the item back: the refund is paid; units go back on sale if asked."""
    req = shop_return(session, shop_id, return_id)
    moved = move(session, req.id, SUCCESS, actor=actor, event="SELLER_CONFIRMED_RECEIPT",
                 note="restocked" if restock else "", expected=frozenset({BUYER_SHIPPED_ITEM}),
                 due_at=None, restocked=restock)
    _schedule_refund(session, moved)
    if restock:
        _restock(session, moved, actor_user_id)
    return moved


def auto_confirm(session: Session, return_id: int) -> ReturnRequest:
    """The seller said nothing within seller_receipt_confirm_days of delivery."""
    moved = move(session, return_id, SUCCESS, actor="system", event="RECEIPT_AUTO_CONFIRMED",
                 note="the seller did not answer in time",
                 expected=frozenset({BUYER_SHIPPED_ITEM}), due_at=None)
    _schedule_refund(session, moved)
    return moved


def reject_receipt(session: Session, shop_id: int, return_id: int, *, actor: str, reason: str,
                   comment: str = "") -> ReturnRequest:
    """The seller refuses the package; the buyer may escalate within buyer_escalation_hours."""
    reason = seller_reason(reason, PACKAGE_REJECT_REASONS)
    req = shop_return(session, shop_id, return_id)
    return move(session, req.id, REJECT_RECEIVE_PACKAGE, actor=actor,
                event="SELLER_REJECTED_PACKAGE",
                note=comment.strip() or PACKAGE_REJECT_REASONS[reason],
                expected=frozenset({BUYER_SHIPPED_ITEM}), reject_reason=reason,
                reject_comment=comment.strip()[:1000] or None,
                due_at=clock.now() + rule_hours("buyer_escalation_hours"))
