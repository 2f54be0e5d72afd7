"""Packages: an order's units split into parcels, shipped by the seller with a carrier.

The only way to change packages. Each move is one conditional UPDATE on the package's status
(``WHERE status = :from``), writes a ``package_history`` row and emits
``orders.package_updated`` {package_id, order_id, shop_id, status, tracking_status,
tracking_number, carrier, shipping_provider_id}. Shipping moves the order along
AWAITING_SHIPMENT -> PARTIALLY_SHIPPING -> AWAITING_COLLECTION -> IN_TRANSIT -> DELIVERED
through ``service.transition``. Functions for the seller API: ``ship_package`` (carrier or
shipping_provider_id, tracking_number), ``buy_label``, ``batch_ship``, ``split_package``,
``label_document``; statuses and fields follow the Partner API's fulfillment packages.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from clipcart import clock, events
from clipcart.carriers import service as carriers
from clipcart.carriers.interface import carrier_by_provider_id, get_carrier
from clipcart.errors import Conflict, DomainError, NotFound, ValidationFailed
from clipcart.ids import new_id
from clipcart.orders.models import Order, OrderLine, Package, PackageHistory, PackageLine
from clipcart.orders.package_states import (
    ORDER_STAGES,
    SHIPPABLE_ORDER,
    can_move_package,
    order_target,
)
from clipcart.orders.service import transition
from clipcart.orders.transitions import can_move

BATCH_MAX = 50


# reads -------------------------------------------------------------------------------------
def packages_of(session: Session, order_ids: Sequence[int]) -> dict[int, list[Package]]:
    result: dict[int, list[Package]] = {oid: [] for oid in order_ids}
    if order_ids:
        for pkg in session.execute(select(Package).where(Package.order_id.in_(list(order_ids)))
                                   .order_by(Package.id)).scalars():
            result[pkg.order_id].append(pkg)
    return result


def lines_of_packages(session: Session,
                      package_ids: Sequence[int]) -> dict[int, list[tuple[OrderLine, int]]]:
    """(order line, quantity in the package) per package; one query."""
    result: dict[int, list[tuple[OrderLine, int]]] = {pid: [] for pid in package_ids}
    if package_ids:
        rows = session.execute(
            select(PackageLine.package_id, OrderLine, PackageLine.quantity)
            .join(OrderLine, OrderLine.id == PackageLine.order_line_id)
            .where(PackageLine.package_id.in_(list(package_ids))).order_by(OrderLine.id))
        for package_id, line, quantity in rows:
            result[package_id].append((line, quantity))
    return result


def history_of_packages(session: Session,
                        package_ids: Sequence[int]) -> dict[int, list[PackageHistory]]:
    result: dict[int, list[PackageHistory]] = {pid: [] for pid in package_ids}
    if package_ids:
        for row in session.execute(select(PackageHistory).where(
                PackageHistory.package_id.in_(list(package_ids))).order_by(PackageHistory.id)
                ).scalars():
            result[row.package_id].append(row)
    return result


def shop_package(session: Session, shop_id: int, package_id: int) -> Package:
    pkg = session.get(Package, package_id, populate_existing=True)
    if pkg is None or pkg.shop_id != shop_id:
        raise NotFound("No such package.")
    return pkg


# moves ---------------------------------------------------------------------------------------
def _move(session: Session, pkg: Package, target: str, *, actor: str, note: str = "",
          tracking_status: str | None = None, **changes: object) -> Package:
    current, current_tracking = pkg.status, pkg.tracking_status
    if not can_move_package(current, target):
        raise Conflict(f"A package cannot go from {current} to {target}.",
                       code="PACKAGE_STATE_CHANGED")
    now = clock.now()
    values: dict[str, object] = {"status": target, "updated_at": now, **changes}
    if tracking_status is not None:
        values["tracking_status"] = tracking_status
    condition = [Package.id == pkg.id, Package.status == current]
    if current == target:  # a tracking update: the tracking status is the guard
        condition.append(Package.tracking_status == current_tracking
                         if current_tracking is not None else Package.tracking_status.is_(None))
    moved = session.execute(update(Package).where(*condition).values(**values)
                            .returning(Package.id)).first()
    if moved is None:
        raise Conflict("The package changed at the same time; try again.",
                       code="PACKAGE_STATE_CHANGED")
    session.add(PackageHistory(id=new_id(), package_id=pkg.id, from_status=current,
                               to_status=target, tracking_status=tracking_status or
                               (None if current != target else current_tracking),
                               actor=actor, note=note[:1000], created_at=now))
    session.flush()
    session.refresh(pkg)
    info = get_carrier(pkg.carrier_code).info if pkg.carrier_code else None
    events.emit(session, "orders.package_updated", {
        "package_id": str(pkg.id), "order_id": str(pkg.order_id), "shop_id": str(pkg.shop_id),
        "status": pkg.status, "tracking_status": pkg.tracking_status,
        "tracking_number": pkg.tracking_number, "carrier": pkg.carrier_code,
        "shipping_provider_id": info.provider_id if info else None})
    return pkg


def _locked_order(session: Session, order_id: int) -> Order:
    order = session.execute(select(Order).where(Order.id == order_id).with_for_update()
                            .execution_options(populate_existing=True)).scalar_one_or_none()
    if order is None:
        raise NotFound("No such order.")
    return order


def ensure_packages(session: Session, order_id: int) -> list[Package]:
    """An order ready to ship has its units in packages: one with everything at first."""
    order = _locked_order(session, order_id)  # two callers cannot both create the first one
    existing = packages_of(session, [order.id])[order.id]
    if existing or order.status not in SHIPPABLE_ORDER:
        return existing
    now = clock.now()
    pkg = Package(id=new_id(), order_id=order.id, shop_id=order.shop_id, status="PROCESSING",
                  created_at=now, updated_at=now)
    session.add(pkg)
    session.flush()
    lines = session.execute(select(OrderLine.id, OrderLine.quantity).where(
        OrderLine.order_id == order.id)).all()
    session.add_all([PackageLine(package_id=pkg.id, order_line_id=lid, quantity=qty)
                     for lid, qty in lines])
    session.add(PackageHistory(id=new_id(), package_id=pkg.id, from_status=None,
                               to_status="PROCESSING", tracking_status=None, actor="system",
                               note="", created_at=now))
    session.flush()
    return [pkg]


def _shippable(session: Session, shop_id: int, package_id: int) -> tuple[Package, Order]:
    pkg = shop_package(session, shop_id, package_id)
    order = session.get(Order, pkg.order_id, populate_existing=True)
    assert order is not None
    if order.status not in SHIPPABLE_ORDER:
        raise Conflict(f"The order is {order.status}; it cannot be shipped now.",
                       code="ORDER_NOT_READY_TO_SHIP")
    if pkg.status != "PROCESSING":
        raise Conflict(f"The package is {pkg.status}; it has been shipped or cancelled.",
                       code="PACKAGE_STATE_CHANGED")
    return pkg, order


def split_package(session: Session, *, shop_id: int, package_id: int,
                  quantities: Mapping[int, int], actor: str) -> Package:
    """Move ``quantities`` {order line id: units} out of a package to ship into a new one."""
    pkg, order = _shippable(session, shop_id, package_id)
    have = {line.id: qty for line, qty in lines_of_packages(session, [pkg.id])[pkg.id]}
    moving = {lid: n for lid, n in quantities.items() if n}
    if not moving:
        raise ValidationFailed("Choose the units to put in the new package.", field="lines")
    for lid, n in moving.items():
        if lid not in have or n < 0 or n > have[lid]:
            raise ValidationFailed("A package holds fewer units of that line.", field="lines")
    if sum(moving.values()) >= sum(have.values()):
        raise ValidationFailed("Leave at least one unit in the package.", field="lines")
    locked = session.execute(update(Package).where(Package.id == pkg.id,
                                                   Package.status == "PROCESSING")
                             .values(updated_at=clock.now()).returning(Package.id)).first()
    if locked is None:
        raise Conflict("The package changed at the same time; try again.",
                       code="PACKAGE_STATE_CHANGED")
    for lid, n in moving.items():
        where = (PackageLine.package_id == pkg.id, PackageLine.order_line_id == lid)
        if n == have[lid]:  # the whole line moves
            done = session.execute(delete(PackageLine).where(*where, PackageLine.quantity == n)
                                   .returning(PackageLine.order_line_id)).first()
        else:
            done = session.execute(update(PackageLine).where(*where, PackageLine.quantity > n)
                                   .values(quantity=PackageLine.quantity - n)
                                   .returning(PackageLine.order_line_id)).first()
        if done is None:
            raise Conflict("The package changed at the same time; try again.",
                           code="PACKAGE_STATE_CHANGED")
    now = clock.now()
    new = Package(id=new_id(), order_id=order.id, shop_id=shop_id, status="PROCESSING",
                  created_at=now, updated_at=now)
    session.add(new)
    session.flush()
    session.add_all([PackageLine(package_id=new.id, order_line_id=lid, quantity=n)
                     for lid, n in moving.items()])
    session.add(PackageHistory(id=new_id(), package_id=new.id, from_status=None,
                               to_status="PROCESSING", tracking_status=None, actor=actor,
                               note=f"split from package {pkg.id}", created_at=now))
    session.flush()
    return new


def _after_ship(session: Session, pkg: Package, order: Order, actor: str) -> Package:
    sync_order(session, order.id, actor=actor)
    return pkg


def ship_package(session: Session, *, shop_id: int, package_id: int, actor: str,
                 tracking_number: str, carrier_code: str | None = None,
                 shipping_provider_id: str | None = None) -> Package:
    """The seller handed the package to a carrier (named by code or Partner API
    shipping_provider_id) with this tracking number."""
    if carrier_code is None and shipping_provider_id is None:
        raise ValidationFailed("Choose the carrier.", field="carrier")
    carrier = (get_carrier(carrier_code) if carrier_code is not None
               else carrier_by_provider_id(shipping_provider_id or ""))
    pkg, order = _shippable(session, shop_id, package_id)
    shipment = carriers.register_tracking(
        session, purpose="package", reference=f"package:{pkg.id}", market=order.market,
        carrier_code=carrier.info.code, tracking_number=tracking_number)
    _move(session, pkg, "FULFILLING", actor=actor, note=f"shipped with {carrier.info.name}",
          shipping_type="SELLER", handover_method="DROP_OFF", carrier_code=carrier.info.code,
          tracking_number=shipment.tracking_number, shipment_id=shipment.id,
          shipped_at=clock.now())
    return _after_ship(session, pkg, order, actor)


def buy_label(session: Session, *, shop_id: int, package_id: int, actor: str,
              carrier_code: str | None = None) -> Package:
    """The platform books the carrier: a label to print and a pickup at the seller's."""
    pkg, order = _shippable(session, shop_id, package_id)
    shipment = carriers.book_shipment(session, purpose="package",
                                      reference=f"package:{pkg.id}", market=order.market,
                                      carrier_code=carrier_code)
    name = get_carrier(shipment.carrier_code).info.name
    _move(session, pkg, "FULFILLING", actor=actor, note=f"label bought from {name}",
          shipping_type="PLATFORM", handover_method="PICKUP",
          carrier_code=shipment.carrier_code, tracking_number=shipment.tracking_number,
          shipment_id=shipment.id, shipped_at=clock.now())
    return _after_ship(session, pkg, order, actor)


@dataclass
class BatchResult:
    shipped: list[Package] = field(default_factory=list)
    failed: list[tuple[int, str, str]] = field(default_factory=list)  # (package id, code, why)


def batch_ship(session: Session, *, shop_id: int, package_ids: Sequence[int], actor: str,
               carrier_code: str | None = None,
               tracking: Mapping[int, tuple[str, str]] | None = None) -> BatchResult:
    """Ship many packages: with the seller's (carrier, tracking number) where given, else
    with a platform label. Each package succeeds or fails on its own."""
    if len(package_ids) > BATCH_MAX:
        raise ValidationFailed(f"Ship at most {BATCH_MAX} packages at once.", field="packages")
    result = BatchResult()
    for package_id in dict.fromkeys(package_ids):
        try:
            with session.begin_nested():
                given = (tracking or {}).get(package_id)
                if given is not None:
                    pkg = ship_package(session, shop_id=shop_id, package_id=package_id,
                                       actor=actor, carrier_code=given[0],
                                       tracking_number=given[1])
                else:
                    pkg = buy_label(session, shop_id=shop_id, package_id=package_id,
                                    actor=actor, carrier_code=carrier_code)
            result.shipped.append(pkg)
        except DomainError as exc:
            result.failed.append((package_id, exc.code, exc.detail))
    return result


def sync_order(session: Session, order_id: int, *, actor: str) -> Order:
    """Move the order to the status its packages call for, one allowed step at a time."""
    order = session.get(Order, order_id, populate_existing=True)
    assert order is not None
    if order.status not in ORDER_STAGES:
        return order
    pkgs = packages_of(session, [order.id])[order.id]
    target = order_target([(p.status, p.tracking_status) for p in pkgs])
    if target is None or ORDER_STAGES.index(target) <= ORDER_STAGES.index(order.status):
        return order
    while order.status != target:
        current = order.status
        step = target if can_move(current, target) else next(
            s for s in ORDER_STAGES[ORDER_STAGES.index(current) + 1:] if can_move(current, s))
        changes: dict[str, Any] = {}
        if step == "DELIVERED":
            delivered = [p.delivered_at for p in pkgs if p.delivered_at is not None]
            changes["delivered_at"] = max(delivered) if delivered else clock.now()
        order = transition(session, order.id, step, actor=actor, reason=_reason(step),
                           expected=frozenset({current}), **changes)
    return order


def _reason(step: str) -> str:
    return {"PARTIALLY_SHIPPING": "some packages shipped",
            "AWAITING_COLLECTION": "all packages shipped",
            "IN_TRANSIT": "the carrier has every package",
            "DELIVERED": "every package delivered"}.get(step, "")


def label_document(session: Session, *, shop_id: int,
                   package_ids: Sequence[int]) -> list[tuple[Package, Order,
                                                             list[tuple[OrderLine, int]]]]:
    """What a printable label sheet shows for shipped packages of the shop."""
    if not package_ids or len(package_ids) > BATCH_MAX:
        raise ValidationFailed(f"Choose 1 to {BATCH_MAX} packages.", field="packages")
    pkgs = list(session.execute(select(Package).where(
        Package.id.in_(list(package_ids)), Package.shop_id == shop_id).order_by(Package.id))
        .scalars())
    if len(pkgs) != len(set(package_ids)):
        raise NotFound("No such package.")
    if any(p.tracking_number is None for p in pkgs):
        raise Conflict("A package needs a carrier before its label can be printed.",
                       code="PACKAGE_NOT_SHIPPED")
    orders = {o.id: o for o in session.execute(select(Order).where(
        Order.id.in_([p.order_id for p in pkgs]))).scalars()}
    lines = lines_of_packages(session, [p.id for p in pkgs])
    return [(p, orders[p.order_id], lines[p.id]) for p in pkgs]
