"""Order reads for pages: keyset-paged lists in a constant number of queries, and details."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from clipcart import crypto
from clipcart.catalog.paging import Page, decode_token, encode_token, page_size_of
from clipcart.identity.models import User
from clipcart.markets import market
from clipcart.money import Money
from clipcart.orders.models import Order, OrderHistory, OrderLine
from clipcart.orders.service import history_of, lines_of
from clipcart.orders.transitions import BUYER_CANCELLABLE, SELLER_CANCELLABLE
from clipcart.shops.models import Shop

# Tabs as buyers and sellers think of them, each a set of TikTok Shop statuses.
BUYER_TABS: dict[str, tuple[str, tuple[str, ...]]] = {
    "all": ("All", ()),
    "to_pay": ("To pay", ("UNPAID",)),
    "to_ship": ("To ship", ("ON_HOLD", "AWAITING_SHIPMENT", "PARTIALLY_SHIPPING",
                            "AWAITING_COLLECTION")),
    "shipped": ("Shipped", ("IN_TRANSIT",)),
    "done": ("Delivered", ("DELIVERED", "COMPLETED")),
    "cancelled": ("Cancelled", ("CANCELLED",)),
}
SELLER_TABS: dict[str, tuple[str, tuple[str, ...]]] = {
    "all": ("All", ()),
    "unpaid": ("Unpaid", ("UNPAID",)),
    "on_hold": ("On hold", ("ON_HOLD",)),
    "to_ship": ("To ship", ("AWAITING_SHIPMENT", "PARTIALLY_SHIPPING")),
    "shipping": ("Shipping", ("AWAITING_COLLECTION", "IN_TRANSIT")),
    "done": ("Delivered", ("DELIVERED", "COMPLETED")),
    "cancelled": ("Cancelled", ("CANCELLED",)),
}
STATUS_LABELS = {
    "UNPAID": "Awaiting payment", "ON_HOLD": "Paid · on hold",
    "AWAITING_SHIPMENT": "To ship", "PARTIALLY_SHIPPING": "Partly shipped",
    "AWAITING_COLLECTION": "Awaiting collection", "IN_TRANSIT": "In transit",
    "DELIVERED": "Delivered", "COMPLETED": "Completed", "CANCELLED": "Cancelled",
}
STATUS_TONES = {"UNPAID": "warn", "ON_HOLD": "warn", "AWAITING_SHIPMENT": "", "DELIVERED": "ok",
                "COMPLETED": "ok", "CANCELLED": "bad"}


@dataclass(frozen=True)
class OrderRow:
    order: Order
    lines: list[OrderLine]
    shop_name: str
    buyer_handle: str

    def money(self, minor: int) -> Money:
        return Money(minor, self.order.currency)

    def fmt(self, minor: int) -> str:
        return market(self.order.market).format(self.money(minor))

    @property
    def item_count(self) -> int:
        return sum(line.quantity for line in self.lines)


@dataclass(frozen=True)
class OrderDetail:
    row: OrderRow
    history: list[OrderHistory]
    address: dict[str, Any]
    buyer_can_cancel: bool
    seller_can_cancel: bool
    packages: list[Any] = field(default_factory=list)  # shipping_queries.PackageView


def _rows(session: Session, orders: Sequence[Order]) -> list[OrderRow]:
    ids = [o.id for o in orders]
    lines = lines_of(session, ids)
    shop_ids = {o.shop_id for o in orders}
    buyer_ids = {o.buyer_user_id for o in orders}
    shops = dict(session.execute(select(Shop.id, Shop.name).where(Shop.id.in_(shop_ids))).all()
                 ) if shop_ids else {}
    buyers = dict(session.execute(select(User.id, User.handle).where(User.id.in_(buyer_ids))
                                  ).all()) if buyer_ids else {}
    return [OrderRow(o, lines[o.id], shops.get(o.shop_id, ""), buyers.get(o.buyer_user_id, ""))
            for o in orders]


def _page(session: Session, query: Select[Order], statuses: Sequence[str],
          page_size: int | None, page_token: str | None) -> Page[OrderRow]:
    size = page_size_of(page_size)
    after = decode_token(page_token)
    if statuses:
        query = query.where(Order.status.in_(list(statuses)))
    if after is not None:
        query = query.where(Order.id < after)
    found = list(session.execute(query.order_by(Order.id.desc()).limit(size + 1)).scalars())
    more = len(found) > size
    found = found[:size]
    token = encode_token(found[-1].id) if more and found else None
    return Page(_rows(session, found), token)


def buyer_orders(session: Session, buyer_user_id: int, statuses: Sequence[str] = (), *,
                 page_size: int | None = None, page_token: str | None = None) -> Page[OrderRow]:
    """The buyer's orders, newest first."""
    query = select(Order).where(Order.buyer_user_id == buyer_user_id)
    return _page(session, query, statuses, page_size, page_token)


def shop_orders(session: Session, shop_id: int, statuses: Sequence[str] = (), *,
                search: str = "", page_size: int | None = None,
                page_token: str | None = None) -> Page[OrderRow]:
    """A shop's orders, newest first; ``search`` matches an order ID or the buyer's handle."""
    query = select(Order).where(Order.shop_id == shop_id)
    term = search.strip().lstrip("@").lower()
    if term.isdigit():
        query = query.where(Order.id == int(term))
    elif term:
        query = query.join(User, User.id == Order.buyer_user_id).where(
            User.handle.like(f"%{term.replace('%', '').replace('_', '')}%"))
    return _page(session, query, statuses, page_size, page_token)


def _address(order: Order) -> dict[str, Any]:
    try:
        value = json.loads(crypto.decrypt(order.shipping_address, "address"))
    except (crypto.DecryptionFailed, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def order_detail(session: Session, order: Order) -> OrderDetail:
    from clipcart.orders.shipping_queries import order_packages

    return OrderDetail(_rows(session, [order])[0], history_of(session, order.id),
                       _address(order), order.status in BUYER_CANCELLABLE,
                       order.status in SELLER_CANCELLABLE, order_packages(session, order.id))
