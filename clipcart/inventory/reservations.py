"""Reservations: stock held for a checkout until payment commits it or something releases it.

State machine (one mapping, every transition writes a history row)::

    HELD -> COMMITTED   payment captured: reserved and on hand both drop ('sale')
    HELD -> RELEASED    expiry, payment failure, cancellation: reserved drops

A transition is one conditional UPDATE of the reservation row (``... WHERE status =
'HELD'``), so when commit and release race exactly one of them wins and the other sees the
outcome. Stock moves after the transition, row by row in primary-key order.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from clipcart import clock, events
from clipcart.errors import Conflict, NotFound, ValidationFailed
from clipcart.ids import new_id
from clipcart.inventory import locks
from clipcart.inventory.allocation import AllocationStrategy, StockCandidate, default_first
from clipcart.inventory.models import (
    StockLevel,
    StockReservation,
    StockReservationHistory,
    StockReservationLine,
)
from clipcart.inventory.movements import MAX_UNITS, record_movement

HELD, COMMITTED, RELEASED = "HELD", "COMMITTED", "RELEASED"
TRANSITIONS: dict[str | None, frozenset[str]] = {
    None: frozenset({HELD}),
    HELD: frozenset({COMMITTED, RELEASED}),
    COMMITTED: frozenset(),
    RELEASED: frozenset(),
}
MAX_LINES = 200
_REASON = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


@dataclass(frozen=True)
class ReservedLine:
    sku_id: int
    warehouse_id: int
    quantity: int


@dataclass(frozen=True)
class Reservation:
    id: int
    reference: str
    status: str
    expires_at: datetime
    release_reason: str | None
    lines: tuple[ReservedLine, ...]

    def quantities(self) -> dict[int, int]:
        """Units held per SKU, over every warehouse."""
        totals: dict[int, int] = defaultdict(int)
        for line in self.lines:
            totals[line.sku_id] += line.quantity
        return dict(totals)


@dataclass(frozen=True)
class _Held:
    reservation_id: int
    reference: str
    shop_id: int
    sku_id: int
    warehouse_id: int
    quantity: int


def _clean_reference(reference: str) -> str:
    cleaned = (reference or "").strip()
    if not 1 <= len(cleaned) <= 80:
        raise ValidationFailed("A reservation reference is 1 to 80 characters.",
                               field="reference")
    return cleaned


def _wanted(lines: Sequence[tuple[int, int]]) -> dict[int, int]:
    wanted: dict[int, int] = defaultdict(int)
    for sku_id, quantity in lines:
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity <= 0:
            raise ValidationFailed("Each line reserves a positive whole number of units.",
                                   field="quantity")
        wanted[int(sku_id)] += quantity
        if wanted[int(sku_id)] > MAX_UNITS:
            raise ValidationFailed("Too many units in one line.", field="quantity")
    if not wanted:
        raise ValidationFailed("A reservation needs at least one line.", field="lines")
    if len(wanted) > MAX_LINES:
        raise ValidationFailed(f"At most {MAX_LINES} SKUs per reservation.", field="lines")
    return dict(wanted)


def _load(session: Session, reference: str) -> Reservation | None:
    row = session.execute(
        select(StockReservation).where(StockReservation.reference == reference)
        .execution_options(populate_existing=True)).scalar_one_or_none()
    if row is None:
        return None
    lines = session.execute(
        select(StockReservationLine.sku_id, StockReservationLine.warehouse_id,
               StockReservationLine.quantity)
        .where(StockReservationLine.reservation_id == row.id)
        .order_by(StockReservationLine.sku_id, StockReservationLine.warehouse_id))
    return Reservation(row.id, row.reference, row.status, row.expires_at, row.release_reason,
                       tuple(ReservedLine(*line) for line in lines))


def get_reservation(session: Session, reference: str) -> Reservation | None:
    return _load(session, reference)


def _history(session: Session, reservation_id: int, from_status: str | None, to_status: str,
             reason: str) -> None:
    if to_status not in TRANSITIONS[from_status]:
        raise ValueError(f"reservation cannot go from {from_status} to {to_status}")
    session.add(StockReservationHistory(id=new_id(), reservation_id=reservation_id,
                                        from_status=from_status, to_status=to_status,
                                        reason=reason, created_at=clock.now()))


def out_of_stock(sku_id: int, available: int, requested: int) -> Conflict:
    return Conflict(f"Not enough stock of SKU {sku_id}: {available} available, {requested} "
                    "requested.", code="OUT_OF_STOCK",
                    extra={"sku_id": str(sku_id), "available": available,
                           "requested": requested})


def _plan(sku_id: int, candidates: Sequence[StockCandidate], quantity: int,
          strategy: AllocationStrategy) -> list[tuple[int, int]]:
    available = sum(max(c.available, 0) for c in candidates)
    plan = strategy(sku_id, candidates, quantity) if available >= quantity else None
    if plan is None:
        raise out_of_stock(sku_id, available, quantity)
    free = {c.warehouse_id: c.available for c in candidates}
    if sum(n for _, n in plan) != quantity or any(
            n <= 0 or n > free.get(wh, 0) for wh, n in plan):
        raise ValueError(f"allocation strategy gave an impossible plan for SKU {sku_id}")
    return plan


class _PlanOutrun(Exception):
    """An unlocked read showed too few units, or an increment found them gone: plan again
    on locked rows, which also waits for a release that is committing."""


def _take(session: Session, reference: str, wanted: dict[int, int], expires_at: datetime,
          strategy: AllocationStrategy, *, locked: bool) -> Reservation:
    """Hold the units. The plan is made on the stock rows as read (``locked``: read under
    their locks); the reservation's own rows are written first and the stock rows' guarded
    increments last, so a stock row every buyer of a flash sale wants stays locked only
    from its update to the commit. An unlocked plan that an increment finds outrun raises
    ``_PlanOutrun`` (the caller's savepoint undoes this attempt)."""
    now = clock.now()
    header = StockReservation(id=new_id(), reference=reference, status=HELD,
                              expires_at=expires_at, created_at=now, updated_at=now)
    session.add(header)
    session.flush()  # a concurrent reservation with the same reference waits here
    candidates: dict[int, list[StockCandidate]] = defaultdict(list)
    shops: dict[tuple[int, int], int] = {}
    for row in locks.stock_of_skus(session, wanted, lock=locked):
        candidates[row.sku_id].append(
            StockCandidate(row.warehouse_id, row.is_default, row.available))
        shops[(row.sku_id, row.warehouse_id)] = row.shop_id
    try:
        picks = sorted((sku_id, wh, n) for sku_id in sorted(wanted)
                       for wh, n in _plan(sku_id, candidates[sku_id], wanted[sku_id], strategy))
    except Conflict:
        if not locked:  # "sold out" is decided on locked rows: a release may be committing
            raise _PlanOutrun from None
        raise
    lines = []
    for sku_id, warehouse_id, quantity in picks:
        shop_id = shops[(sku_id, warehouse_id)]
        session.add(StockReservationLine(id=new_id(), reservation_id=header.id, sku_id=sku_id,
                                         warehouse_id=warehouse_id, shop_id=shop_id,
                                         quantity=quantity))
        record_movement(session, shop_id=shop_id, sku_id=sku_id, warehouse_id=warehouse_id,
                        on_hand_delta=0, reserved_delta=quantity, reason="reservation",
                        reference=reference)
        lines.append(ReservedLine(sku_id, warehouse_id, quantity))
    _history(session, header.id, None, HELD, "checkout")
    session.flush()
    for sku_id, warehouse_id, quantity in picks:  # primary-key order
        taken = session.execute(
            update(StockLevel)
            .where(StockLevel.sku_id == sku_id, StockLevel.warehouse_id == warehouse_id,
                   StockLevel.on_hand - StockLevel.reserved >= quantity)
            .values(reserved=StockLevel.reserved + quantity, updated_at=now)
            .returning(StockLevel.sku_id)
            .execution_options(synchronize_session=False)).first()
        if taken is None:
            if not locked:
                raise _PlanOutrun
            # locked rows showed these units: only a strategy planning past them gets here
            raise out_of_stock(sku_id, 0, wanted[sku_id])
    return Reservation(header.id, reference, HELD, expires_at, None, tuple(lines))


def _same_request(existing: Reservation, wanted: dict[int, int]) -> Reservation:
    if existing.quantities() != wanted:
        raise Conflict("This reservation reference is already used for other lines.",
                       code="RESERVATION_REFERENCE_TAKEN")
    return existing


def reserve(session: Session, *, reference: str, lines: Sequence[tuple[int, int]],
            expires_at: datetime, strategy: AllocationStrategy = default_first) -> Reservation:
    """Hold ``lines`` ((sku_id, quantity) pairs) until ``expires_at``, all or nothing.

    Raises Conflict OUT_OF_STOCK (extra: sku_id, available, requested) naming the first
    SKU that cannot be served; then nothing is held, even if the caller keeps its
    transaction going. Calling again with the same reference and lines answers the same
    reservation (whatever its status); other lines under that reference are a Conflict.
    """
    reference = _clean_reference(reference)
    wanted = _wanted(lines)
    if expires_at.tzinfo is None or expires_at <= clock.now():
        raise ValidationFailed("A reservation must expire in the future.", field="expires_at")
    existing = _load(session, reference)
    if existing is not None:
        return _same_request(existing, wanted)
    try:
        try:
            with session.begin_nested():
                return _take(session, reference, wanted, expires_at, strategy, locked=False)
        except _PlanOutrun:  # units went between the read and the update: plan on locks
            with session.begin_nested():
                return _take(session, reference, wanted, expires_at, strategy, locked=True)
    except IntegrityError:
        existing = _load(session, reference)
        if existing is None:
            raise
        return _same_request(existing, wanted)


def _transition(session: Session, reference: str, from_status: str, to_status: str,
                reason: str) -> Any | None:
    """Move one reservation between states atomically; its row (id, expires_at,
    release_reason after the move) when this call won."""
    values: dict[str, object] = {"status": to_status, "updated_at": clock.now()}
    if to_status == RELEASED:
        values["release_reason"] = reason
    won = session.execute(
        update(StockReservation)
        .where(StockReservation.reference == reference, StockReservation.status == from_status)
        .values(**values)
        .returning(StockReservation.id, StockReservation.expires_at,
                   StockReservation.release_reason)
        .execution_options(synchronize_session=False)).first()
    if won is not None:
        _history(session, won.id, from_status, to_status, reason)
    return won


def _moved(session: Session, reference: str, won: Any, status: str, sold: bool,
           reason: str) -> Reservation:
    """Move the won reservation's held units; the reservation as it now is, built from
    what the move read and wrote rather than read back."""
    held = _held_lines(session, [won.id])
    _move_held(session, held, sold=sold, reason=reason)
    lines = sorted((h.sku_id, h.warehouse_id, h.quantity) for h in held)
    return Reservation(won.id, reference, status, won.expires_at, won.release_reason,
                       tuple(ReservedLine(*line) for line in lines))


def _held_lines(session: Session, reservation_ids: Iterable[int]) -> list[_Held]:
    rows = session.execute(
        select(StockReservationLine.reservation_id, StockReservation.reference,
               StockReservationLine.shop_id, StockReservationLine.sku_id,
               StockReservationLine.warehouse_id, StockReservationLine.quantity)
        .join(StockReservation, StockReservation.id == StockReservationLine.reservation_id)
        .where(StockReservationLine.reservation_id.in_(list(reservation_ids))))
    return [_Held(*row) for row in rows]


def _move_held(session: Session, held: list[_Held], *, sold: bool, reason: str) -> None:
    """Let go of (or sell) held units: one conditional UPDATE per stock row, in key order."""
    totals: dict[tuple[int, int], int] = defaultdict(int)
    for line in held:
        totals[(line.sku_id, line.warehouse_id)] += line.quantity
    for line in held:  # written first: the stock rows' updates are the last statements
        record_movement(session, shop_id=line.shop_id, sku_id=line.sku_id,
                        warehouse_id=line.warehouse_id,
                        on_hand_delta=-line.quantity if sold else 0,
                        reserved_delta=-line.quantity,
                        reason="sale" if sold else "reservation_release",
                        note="" if sold else reason, reference=line.reference)
    session.flush()
    now = clock.now()
    for (sku_id, warehouse_id), quantity in sorted(totals.items()):
        values = {"reserved": StockLevel.reserved - quantity, "updated_at": now}
        if sold:
            values["on_hand"] = StockLevel.on_hand - quantity
        moved = session.execute(
            update(StockLevel)
            .where(StockLevel.sku_id == sku_id, StockLevel.warehouse_id == warehouse_id,
                   StockLevel.reserved >= quantity)
            .values(**values).returning(StockLevel.sku_id)
            .execution_options(synchronize_session=False)).first()
        if moved is None:
            raise RuntimeError(f"stock row ({sku_id}, {warehouse_id}) holds fewer reserved "
                               f"units than its reservations ({quantity})")


def _current(session: Session, reference: str) -> Reservation:
    found = _load(session, reference)
    if found is None:
        raise NotFound("No such reservation.")
    return found


def commit_reservation(session: Session, reference: str) -> Reservation:
    """Payment captured: the held units are sold. A second call is a no-op.

    Raises Conflict RESERVATION_RELEASED when a release (expiry, failure, cancellation)
    won the race: the stock is no longer held and the payment must be given back.
    """
    reference = _clean_reference(reference)
    won = _transition(session, reference, HELD, COMMITTED, "paid")
    if won is None:
        current = _current(session, reference)
        if current.status == RELEASED:
            raise Conflict(f"The reservation was already released ({current.release_reason}).",
                           code="RESERVATION_RELEASED",
                           extra={"reason": current.release_reason})
        return current
    return _moved(session, reference, won, COMMITTED, sold=True, reason="paid")


def release_reservation(session: Session, reference: str, reason: str) -> Reservation:
    """Give the held units back (``reason``: e.g. expired, payment_failed, cancelled).

    A no-op when already released, and when already committed (sold stock is not given
    back here; returns restock through ``adjust_stock``): the answer's status says which.
    """
    reference = _clean_reference(reference)
    if not _REASON.match(reason or ""):
        raise ValidationFailed("A release reason is a short snake_case word.", field="reason")
    won = _transition(session, reference, HELD, RELEASED, reason)
    if won is None:
        return _current(session, reference)
    return _moved(session, reference, won, RELEASED, sold=False, reason=reason)


def release_expired(session: Session, now: datetime, *, limit: int = 500) -> int:
    """Release up to ``limit`` HELD reservations whose time is up; how many were released.

    Reservations another transaction is committing right now are skipped (SKIP LOCKED)
    and looked at again next run, so the periodic job never waits on a payment.
    """
    due = list(session.execute(
        select(StockReservation.id)
        .where(StockReservation.status == HELD, StockReservation.expires_at <= now)
        .order_by(StockReservation.id).limit(limit)
        .with_for_update(skip_locked=True)).scalars())
    if not due:
        return 0
    released = list(session.execute(
        update(StockReservation)
        .where(StockReservation.id.in_(due), StockReservation.status == HELD)
        .values(status=RELEASED, release_reason="expired", updated_at=clock.now())
        .returning(StockReservation.id, StockReservation.reference)
        .execution_options(synchronize_session=False)))
    for reservation_id, reference in released:
        _history(session, reservation_id, HELD, RELEASED, "expired")
        events.emit(session, "inventory.reservation_expired",
                    {"reservation_id": str(reservation_id), "reference": reference})
    _move_held(session, _held_lines(session, [r for r, _ in released]), sold=False,
               reason="expired")
    return len(released)
