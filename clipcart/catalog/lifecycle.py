"""The product status machine (TikTok Shop's statuses): one table of allowed moves.

Each move names who may make it. ``move`` is the only writer of ``Product.status``: it
checks the table, writes a history row and emits ``catalog.product_status_changed``.
``publish``/``hide`` are the only writers of what buyers see, and emit
``catalog.product_live_changed`` (search indexes and feeds follow it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from clipcart import clock, events
from clipcart.catalog.models import Product, ProductRevision, ProductStatusHistory
from clipcart.errors import Conflict
from clipcart.ids import new_id

SELLER, OPERATOR, SYSTEM = "seller", "operator", "system"
_SELLER, _PLATFORM, _AUDIT = frozenset({SELLER}), frozenset({OPERATOR}), \
    frozenset({SYSTEM, OPERATOR})

TRANSITIONS: dict[tuple[str, str], frozenset[str]] = {
    # submissions go to audit
    ("DRAFT", "PENDING"): _SELLER,
    ("FAILED", "PENDING"): _SELLER,
    ("ACTIVATE", "PENDING"): _SELLER,  # a live edit: the approved version stays on sale
    ("SELLER_DEACTIVATED", "PENDING"): _SELLER,  # re-activation with unreviewed changes
    ("PLATFORM_DEACTIVATED", "PENDING"): _SELLER,  # fixed and resubmitted: a person decides
    # the audit decides (rules automatically, or an operator)
    ("PENDING", "ACTIVATE"): _AUDIT,
    ("PENDING", "FAILED"): _AUDIT,
    # the seller takes a product off sale and back
    ("ACTIVATE", "SELLER_DEACTIVATED"): _SELLER,
    ("SELLER_DEACTIVATED", "ACTIVATE"): _SELLER,
    # the platform takes a product down, and may reinstate it
    ("ACTIVATE", "PLATFORM_DEACTIVATED"): _PLATFORM,
    ("PENDING", "PLATFORM_DEACTIVATED"): _PLATFORM,
    ("FAILED", "PLATFORM_DEACTIVATED"): _PLATFORM,
    ("SELLER_DEACTIVATED", "PLATFORM_DEACTIVATED"): _PLATFORM,
    ("PLATFORM_DEACTIVATED", "ACTIVATE"): _PLATFORM,
    # the seller deletes (kept for orders and history, gone from every list)
    **{(status, "DELETED"): _SELLER for status in (
        "DRAFT", "PENDING", "ACTIVATE", "FAILED", "SELLER_DEACTIVATED",
        "PLATFORM_DEACTIVATED")},
}

STATUS_LABELS = {"DRAFT": "Draft", "PENDING": "In review", "ACTIVATE": "Live",
                 "FAILED": "Failed", "SELLER_DEACTIVATED": "Deactivated",
                 "PLATFORM_DEACTIVATED": "Deactivated by clipcart", "DELETED": "Deleted"}
STATUS_TONES = {"DRAFT": "", "PENDING": "warn", "ACTIVATE": "ok", "FAILED": "bad",
                "SELLER_DEACTIVATED": "", "PLATFORM_DEACTIVATED": "bad", "DELETED": "bad"}


@dataclass(frozen=True)
class Actor:
    kind: str  # seller, operator or system
    user_id: int | None = None

    @property
    def label(self) -> str:
        return self.kind if self.user_id is None else f"{self.kind}:{self.user_id}"


AUTOMATIC_AUDIT = Actor(SYSTEM)


def can_move(current: str, target: str, actor_kind: str) -> bool:
    return actor_kind in TRANSITIONS.get((current, target), frozenset())


def _label(status: str) -> str:
    return STATUS_LABELS.get(status, status).lower()


def require_move(product: Product, target: str, actor: Actor, doing: str) -> None:
    if not can_move(product.status, target, actor.kind):
        raise Conflict(f"A product that is {_label(product.status)} cannot be {doing}.",
                       code="INVALID_STATUS_TRANSITION")


def record_creation(session: Session, product: Product, actor: Actor) -> None:
    session.add(ProductStatusHistory(id=new_id(), product_id=product.id, shop_id=product.shop_id,
                                     from_status=None, to_status=product.status,
                                     actor=actor.label, reasons=[], created_at=clock.now()))


def move(session: Session, product: Product, target: str, actor: Actor, *,
         reasons: Sequence[str] = (), revision_id: int | None = None, doing: str = "moved") -> None:
    """Change the status if the table allows it for this actor; history and event follow."""
    require_move(product, target, actor, doing)
    old = product.status
    now = clock.now()
    product.status = target
    product.updated_at = now
    session.add(ProductStatusHistory(id=new_id(), product_id=product.id, shop_id=product.shop_id,
                                     from_status=old, to_status=target, actor=actor.label,
                                     reasons=list(reasons), revision_id=revision_id,
                                     created_at=now))
    events.emit(session, "catalog.product_status_changed", {
        "product_id": str(product.id), "shop_id": str(product.shop_id), "title": product.title,
        "old_status": old, "new_status": target, "reasons": list(reasons),
        "revision_id": str(revision_id) if revision_id else None, "actor": actor.label})


def _live_event(session: Session, product: Product) -> None:
    events.emit(session, "catalog.product_live_changed", {
        "product_id": str(product.id), "shop_id": str(product.shop_id), "market": product.market,
        "visible": product.visible,
        "revision_id": str(product.live_revision_id) if product.live_revision_id else None})


def publish(session: Session, product: Product, revision: ProductRevision | None = None) -> None:
    """Buyers see ``revision`` (or the current live one) from now on."""
    new_revision = revision.id if revision is not None else product.live_revision_id
    if new_revision is None:
        raise Conflict("This product has no approved version to show.", code="NOT_APPROVED")
    if product.visible and product.live_revision_id == new_revision:
        return
    product.live_revision_id = new_revision
    product.visible = True
    _live_event(session, product)


def hide(session: Session, product: Product) -> None:
    if product.visible:
        product.visible = False
        _live_event(session, product)
