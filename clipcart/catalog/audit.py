"""The operator's side of the audit: the queue of flagged listings, decisions, take-downs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from clipcart import clock
from clipcart.catalog import lifecycle
from clipcart.catalog.lifecycle import OPERATOR, Actor
from clipcart.catalog.models import Category, Product, ProductRevision
from clipcart.catalog.paging import Page, decode_token, encode_token, page_size_of
from clipcart.catalog.submission import withdraw_open_reviews
from clipcart.errors import Conflict, NotFound, ValidationFailed
from clipcart.shops.models import Shop


@dataclass(frozen=True)
class QueueItem:
    revision: ProductRevision
    product: Product
    shop_name: str
    category_path: str
    live_title: str | None  # the version buyers see now, when this is an edit of a live product


def review_queue(session: Session, *, page_size: int = 20,
                 page_token: str | None = None) -> Page[QueueItem]:
    """Flagged submissions waiting for an operator, oldest first (three queries a page)."""
    size = page_size_of(page_size)
    query = (select(ProductRevision, Product, Shop.name, Category.path)
             .join(Product, Product.id == ProductRevision.product_id)
             .join(Shop, Shop.id == ProductRevision.shop_id)
             .join(Category, Category.id == ProductRevision.category_id)
             .where(ProductRevision.audit_status == "IN_REVIEW")
             .order_by(ProductRevision.id).limit(size + 1))
    after = decode_token(page_token)
    if after is not None:
        query = query.where(ProductRevision.id > after)
    rows = session.execute(query).all()
    more = len(rows) > size
    rows = rows[:size]
    live_ids = [p.live_revision_id for _, p, _, _ in rows if p.live_revision_id]
    live_titles = dict(session.execute(
        select(ProductRevision.id, ProductRevision.title)
        .where(ProductRevision.id.in_(live_ids))).all()) if live_ids else {}
    items = [QueueItem(rev, product, shop_name, path,
                       live_titles.get(product.live_revision_id or 0))
             for rev, product, shop_name, path in rows]
    return Page(items, encode_token(rows[-1][0].id) if more and rows else None)


def revision_for_review(session: Session, revision_id: int) -> QueueItem:
    row = session.execute(
        select(ProductRevision, Product, Shop.name, Category.path)
        .join(Product, Product.id == ProductRevision.product_id)
        .join(Shop, Shop.id == ProductRevision.shop_id)
        .join(Category, Category.id == ProductRevision.category_id)
        .where(ProductRevision.id == revision_id)).first()
    if row is None:
        raise NotFound("No such submission.")
    rev, product, shop_name, path = row
    live = session.get(ProductRevision, product.live_revision_id) \
        if product.live_revision_id else None
    return QueueItem(rev, product, shop_name, path, live.title if live else None)


def _waiting(session: Session, revision_id: int) -> tuple[ProductRevision, Product]:
    """The revision and its product, locked (product first, like every catalog write)."""
    found = session.execute(select(ProductRevision.product_id)
                            .where(ProductRevision.id == revision_id)).scalar_one_or_none()
    if found is None:
        raise NotFound("No such submission.")
    product = session.execute(select(Product).where(Product.id == found)
                              .with_for_update()).scalar_one()
    revision = session.execute(select(ProductRevision).where(ProductRevision.id == revision_id)
                               .with_for_update()).scalar_one()
    if revision.audit_status != "IN_REVIEW" or product.status != "PENDING":
        raise Conflict("This submission was already decided or replaced by a newer one.",
                       code="ALREADY_DECIDED")
    return revision, product


def approve(session: Session, revision_id: int, operator_id: int) -> Product:
    """The operator lets a flagged listing go live; it replaces the version buyers saw."""
    revision, product = _waiting(session, revision_id)
    revision.audit_status, revision.decided_by, revision.decided_at = \
        "APPROVED", operator_id, clock.now()
    lifecycle.move(session, product, "ACTIVATE", Actor(OPERATOR, operator_id),
                   revision_id=revision.id)
    lifecycle.publish(session, product, revision)
    return product


def _clean_reasons(reasons: Sequence[str] | str) -> list[str]:
    items = [reasons] if isinstance(reasons, str) else list(reasons)
    clean = [" ".join(r.split())[:500] for r in items if r and r.strip()]
    if not clean:
        raise ValidationFailed("Tell the seller why.", field="reason")
    return clean


def reject(session: Session, revision_id: int, operator_id: int,
           reasons: Sequence[str] | str) -> Product:
    """The listing fails with the operator's reasons; a live product keeps its old version."""
    messages = _clean_reasons(reasons)
    revision, product = _waiting(session, revision_id)
    revision.audit_status, revision.decided_by, revision.decided_at = \
        "REJECTED", operator_id, clock.now()
    revision.reasons = [*revision.reasons,
                        *({"code": "operator", "message": m, "action": "reject"}
                          for m in messages)]
    lifecycle.move(session, product, "FAILED", Actor(OPERATOR, operator_id), reasons=messages,
                   revision_id=revision.id)
    return product


def _product_locked(session: Session, product_id: int) -> Product:
    product = session.execute(select(Product).where(Product.id == product_id,
                                                    Product.status != "DELETED")
                              .with_for_update()).scalar_one_or_none()
    if product is None:
        raise NotFound("No such product.")
    return product


def platform_deactivate(session: Session, product_id: int, operator_id: int,
                        reason: str) -> Product:
    """The platform takes a product down (buyers stop seeing it at once)."""
    messages = _clean_reasons(reason)
    product = _product_locked(session, product_id)
    lifecycle.move(session, product, "PLATFORM_DEACTIVATED", Actor(OPERATOR, operator_id),
                   reasons=messages, doing="deactivated by the platform")
    lifecycle.hide(session, product)
    withdraw_open_reviews(session, product)
    return product


def reinstate(session: Session, product_id: int, operator_id: int) -> Product:
    """Undo a take-down: the last approved version goes back on sale."""
    product = _product_locked(session, product_id)
    if product.live_revision_id is None:
        raise Conflict("This product never had an approved version.", code="NOT_APPROVED")
    lifecycle.move(session, product, "ACTIVATE", Actor(OPERATOR, operator_id),
                   doing="reinstated")
    lifecycle.publish(session, product)
    return product


def taken_down(session: Session, limit: int = 20) -> list[tuple[Product, str]]:
    """Products the platform deactivated, most recent first, with their shop's name."""
    rows = session.execute(
        select(Product, Shop.name).join(Shop, Shop.id == Product.shop_id)
        .where(Product.status == "PLATFORM_DEACTIVATED")
        .order_by(Product.updated_at.desc(), Product.id.desc()).limit(limit)).all()
    return [(product, name) for product, name in rows]
