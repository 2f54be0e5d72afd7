"""Reads for shipping pages: packages with their lines, tracking and order, by keyset."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from clipcart import clock
from clipcart.carriers.interface import CARRIERS
from clipcart.catalog.paging import Page, decode_token, encode_token, page_size_of
from clipcart.identity.models import User
from clipcart.orders.fulfillment import ship_by
from clipcart.orders.models import Order, OrderLine, Package, PackageHistory
from clipcart.orders.package_states import PACKAGE_LABELS, TRACKING_LABELS
from clipcart.orders.packages import history_of_packages, lines_of_packages, packages_of

SHIPPING_TABS: dict[str, tuple[str, tuple[str, ...]]] = {
    "to_ship": ("To ship", ("PROCESSING",)),
    "shipped": ("Shipped", ("FULFILLING",)),
    "delivered": ("Delivered", ("COMPLETED",)),
}


@dataclass(frozen=True)
class PackageView:
    package: Package
    lines: list[tuple[OrderLine, int]]
    history: list[PackageHistory]

    @property
    def carrier_name(self) -> str:
        code = self.package.carrier_code
        return CARRIERS[code].info.name if code in CARRIERS else ""

    @property
    def label_url(self) -> str | None:
        code, number = self.package.carrier_code, self.package.tracking_number
        return CARRIERS[code].label_url(number) if code in CARRIERS and number else None

    @property
    def status_label(self) -> str:
        if self.package.status == "FULFILLING" and self.package.tracking_status:
            return TRACKING_LABELS[self.package.tracking_status]
        if self.package.status == "FULFILLING":
            return "Awaiting collection"
        return PACKAGE_LABELS[self.package.status]

    @property
    def units(self) -> int:
        return sum(q for _, q in self.lines)

    def steps(self) -> list[tuple[str, str, datetime]]:
        """(title, detail, at) of the tracking timeline, oldest first."""
        out = []
        for h in self.history:
            if h.from_status is None:
                out.append(("Packed", "Waiting for the seller to ship", h.created_at))
            elif h.tracking_status:
                out.append((TRACKING_LABELS.get(h.tracking_status, h.tracking_status),
                            h.note, h.created_at))
            elif h.to_status == "FULFILLING":
                out.append(("Shipped", h.note, h.created_at))
            else:
                out.append((PACKAGE_LABELS[h.to_status], h.note, h.created_at))
        return out


@dataclass(frozen=True)
class ShippingRow:
    view: PackageView
    order: Order
    buyer_handle: str
    ship_by: datetime | None

    @property
    def late(self) -> bool:
        return (self.view.package.status == "PROCESSING" and self.ship_by is not None
                and self.ship_by < clock.now())


def views_of(session: Session, packages: Sequence[Package]) -> list[PackageView]:
    ids = [p.id for p in packages]
    lines = lines_of_packages(session, ids)
    history = history_of_packages(session, ids)
    return [PackageView(p, lines[p.id], history[p.id]) for p in packages]


def order_packages(session: Session, order_id: int) -> list[PackageView]:
    return views_of(session, packages_of(session, [order_id])[order_id])


def shop_packages(session: Session, shop_id: int, statuses: Sequence[str], *,
                  page_size: int | None = None,
                  page_token: str | None = None) -> Page[ShippingRow]:
    """A shop's packages in these statuses, oldest first (ship the oldest first); five
    queries whatever the page size."""
    size = page_size_of(page_size)
    after = decode_token(page_token)
    query = select(Package).where(Package.shop_id == shop_id,
                                  Package.status.in_(list(statuses)))
    if after is not None:
        query = query.where(Package.id > after)
    found = list(session.execute(query.order_by(Package.id).limit(size + 1)).scalars())
    more = len(found) > size
    found = found[:size]
    orders = {o.id: o for o in session.execute(select(Order).where(
        Order.id.in_({p.order_id for p in found}))).scalars()} if found else {}
    handles = dict(session.execute(select(User.id, User.handle).where(
        User.id.in_({o.buyer_user_id for o in orders.values()}))).all()) if orders else {}
    rows = [ShippingRow(v, orders[v.package.order_id],
                        handles.get(orders[v.package.order_id].buyer_user_id, ""),
                        ship_by(orders[v.package.order_id]))
            for v in views_of(session, found)]
    return Page(rows, encode_token(found[-1].id) if more and found else None)


def address_of(order: Order) -> dict[str, str]:
    from clipcart.orders.queries import _address

    return _address(order)
