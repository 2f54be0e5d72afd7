"""Reads for the API and pages: keyset pages in a constant number of queries, details."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from clipcart.aftersales import service
from clipcart.aftersales.models import (
    AftersalesHistory,
    Cancellation,
    CancellationLine,
    ReturnLine,
    ReturnRequest,
)
from clipcart.aftersales.transitions import (
    AWAITING_BUYER_SHIP,
    BUYER_SHIPPED_ITEM,
    PENDING,
    REJECTED,
)
from clipcart.catalog.paging import Page, decode_token, encode_token, page_size_of
from clipcart.identity.models import User
from clipcart.markets import market
from clipcart.money import Money
from clipcart.shops.models import Shop

# Seller Center tabs: what waits for whom.
SELLER_TABS: dict[str, tuple[str, tuple[str, ...]]] = {
    "to_respond": ("To respond", (PENDING,)),
    "to_receive": ("Awaiting item", (AWAITING_BUYER_SHIP, BUYER_SHIPPED_ITEM)),
    "rejected": ("Rejected", tuple(sorted(REJECTED))),
    "refunding": ("Refunding", ("RETURN_OR_REFUND_REQUEST_SUCCESS",)),
    "closed": ("Closed", ("RETURN_OR_REFUND_REQUEST_COMPLETE", "RETURN_OR_REFUND_REQUEST_CANCEL")),
    "all": ("All", ()),
}
STATUS_LABELS = {
    PENDING: "Waiting for the seller", AWAITING_BUYER_SHIP: "Waiting for the buyer to ship",
    BUYER_SHIPPED_ITEM: "Item on its way back", "RETURN_OR_REFUND_REQUEST_REJECT": "Rejected",
    "REJECT_RECEIVE_PACKAGE": "Package refused", "RETURN_OR_REFUND_REQUEST_SUCCESS": "Refunding",
    "RETURN_OR_REFUND_REQUEST_COMPLETE": "Refunded", "RETURN_OR_REFUND_REQUEST_CANCEL": "Cancelled",
    "CANCELLATION_REQUEST_SUCCESS": "Cancelled · refunding",
    "CANCELLATION_REQUEST_COMPLETE": "Cancelled · refunded",
}
STATUS_TONES = {PENDING: "warn", AWAITING_BUYER_SHIP: "warn", BUYER_SHIPPED_ITEM: "warn",
                "RETURN_OR_REFUND_REQUEST_REJECT": "bad", "REJECT_RECEIVE_PACKAGE": "bad",
                "RETURN_OR_REFUND_REQUEST_COMPLETE": "ok", "RETURN_OR_REFUND_REQUEST_SUCCESS": "ok",
                "CANCELLATION_REQUEST_COMPLETE": "ok"}
TYPE_LABELS = {"REFUND": "Refund only", "RETURN_AND_REFUND": "Return and refund"}


def next_action(req: ReturnRequest) -> tuple[str, datetime | None] | None:
    """Who must act next, and by when (TikTok's seller_next_action_response, widened)."""
    if req.closed_at is not None:
        return None
    if req.arbitration_status == "IN_PROGRESS":
        return ("OPERATOR_DECIDE", None)
    return {PENDING: ("SELLER_RESPOND", req.due_at),
            AWAITING_BUYER_SHIP: ("BUYER_SHIP", req.due_at),
            BUYER_SHIPPED_ITEM: ("SELLER_CONFIRM_RECEIPT", req.due_at),
            "RETURN_OR_REFUND_REQUEST_REJECT": ("BUYER_ESCALATE", req.due_at),
            "REJECT_RECEIVE_PACKAGE": ("BUYER_ESCALATE", req.due_at)}.get(req.status)


@dataclass(frozen=True)
class ReturnRow:
    req: ReturnRequest
    lines: list[ReturnLine]
    shop_name: str
    buyer_handle: str

    def fmt(self, minor: int) -> str:
        return market(self.req.market).format(Money(minor, self.req.currency))

    @property
    def action(self) -> tuple[str, datetime | None] | None:
        return next_action(self.req)

    @property
    def units(self) -> int:
        return sum(line.quantity for line in self.lines)


@dataclass(frozen=True)
class ReturnDetail:
    row: ReturnRow
    history: list[AftersalesHistory]


def _names(session: Session, shop_ids: set[int], user_ids: set[int]
           ) -> tuple[dict[int, str], dict[int, str]]:
    shops = {r[0]: r[1] for r in session.execute(
        select(Shop.id, Shop.name).where(Shop.id.in_(shop_ids)))} if shop_ids else {}
    users = {r[0]: r[1] for r in session.execute(
        select(User.id, User.handle).where(User.id.in_(user_ids)))} if user_ids else {}
    return shops, users


def rows(session: Session, reqs: Sequence[ReturnRequest]) -> list[ReturnRow]:
    lines = service.lines_of(session, [r.id for r in reqs])
    shops, users = _names(session, {r.shop_id for r in reqs}, {r.buyer_user_id for r in reqs})
    return [ReturnRow(r, lines[r.id], shops.get(r.shop_id, ""), users.get(r.buyer_user_id, ""))
            for r in reqs]


def _page(session: Session, query: Select[ReturnRequest], page_size: int | None,
          page_token: str | None) -> Page[ReturnRow]:
    size = page_size_of(page_size)
    after = decode_token(page_token)
    if after is not None:
        query = query.where(ReturnRequest.id < after)
    found = list(session.execute(query.order_by(ReturnRequest.id.desc()).limit(size + 1)
                                 ).scalars())
    more = len(found) > size
    found = found[:size]
    return Page(rows(session, found), encode_token(found[-1].id) if more and found else None)


def buyer_returns(session: Session, buyer_user_id: int, *, order_id: int | None = None,
                  page_size: int | None = None, page_token: str | None = None
                  ) -> Page[ReturnRow]:
    query = select(ReturnRequest).where(ReturnRequest.buyer_user_id == buyer_user_id)
    if order_id is not None:
        query = query.where(ReturnRequest.order_id == order_id)
    return _page(session, query, page_size, page_token)


def shop_returns(session: Session, shop_id: int, statuses: Sequence[str] = (), *,
                 page_size: int | None = None, page_token: str | None = None
                 ) -> Page[ReturnRow]:
    query = select(ReturnRequest).where(ReturnRequest.shop_id == shop_id)
    if statuses:
        query = query.where(ReturnRequest.status.in_(list(statuses)))
    return _page(session, query, page_size, page_token)


def disputes(session: Session, *, decided: bool = False, page_size: int | None = None,
             page_token: str | None = None) -> Page[ReturnRow]:
    """Escalated returns: waiting for an operator, or (``decided``) already decided."""
    wanted = ["SUPPORT_BUYER", "SUPPORT_SELLER"] if decided else ["IN_PROGRESS"]
    query = select(ReturnRequest).where(ReturnRequest.arbitration_status.in_(wanted))
    return _page(session, query, page_size, page_token)


def waiting_disputes(session: Session) -> int:
    from sqlalchemy import func

    return int(session.execute(select(func.count()).select_from(ReturnRequest).where(
        ReturnRequest.arbitration_status == "IN_PROGRESS")).scalar_one())


def detail(session: Session, req: ReturnRequest) -> ReturnDetail:
    return ReturnDetail(rows(session, [req])[0], service.history_of(session, req.id))


@dataclass(frozen=True)
class CancellationRow:
    c: Cancellation
    lines: list[CancellationLine]
    buyer_handle: str

    def fmt(self, minor: int) -> str:
        return market(self.c.market).format(Money(minor, self.c.currency))


def _cancellation_page(session: Session, query: Select[Cancellation],
                       page_size: int | None, page_token: str | None) -> Page[CancellationRow]:
    size = page_size_of(page_size)
    after = decode_token(page_token)
    if after is not None:
        query = query.where(Cancellation.id < after)
    found = list(session.execute(query.order_by(Cancellation.id.desc()).limit(size + 1)
                                 ).scalars())
    more = len(found) > size
    found = found[:size]
    lines: dict[int, list[CancellationLine]] = {c.id: [] for c in found}
    if found:
        for line in session.execute(select(CancellationLine).where(
                CancellationLine.cancellation_id.in_(list(lines))).order_by(CancellationLine.id)
                ).scalars():
            lines[line.cancellation_id].append(line)
    _, users = _names(session, set(), {c.buyer_user_id for c in found})
    return Page([CancellationRow(c, lines[c.id], users.get(c.buyer_user_id, "")) for c in found],
                encode_token(found[-1].id) if more and found else None)


def buyer_cancellations(session: Session, buyer_user_id: int, *, page_size: int | None = None,
                        page_token: str | None = None) -> Page[CancellationRow]:
    query = select(Cancellation).where(Cancellation.buyer_user_id == buyer_user_id)
    return _cancellation_page(session, query, page_size, page_token)


def shop_cancellations(session: Session, shop_id: int, *, page_size: int | None = None,
                       page_token: str | None = None) -> Page[CancellationRow]:
    query = select(Cancellation).where(Cancellation.shop_id == shop_id)
    return _cancellation_page(session, query, page_size, page_token)
