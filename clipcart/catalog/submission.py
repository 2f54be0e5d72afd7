"""Submission and the seller's status actions: submit, activate, deactivate, delete.

Submitting freezes the working copy into a ``ProductRevision`` and runs the automatic
audit at once: a clean listing goes live, a rule set to "reject" fails it with the reasons,
a rule set to "review" leaves it PENDING in the operator queue. On a live product the
approved revision stays on sale until the new one is approved.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from clipcart import clock
from clipcart.catalog import lifecycle, rules
from clipcart.catalog.categories import attributes_of, get_category
from clipcart.catalog.images import add_image
from clipcart.catalog.lifecycle import AUTOMATIC_AUDIT, SELLER, Actor
from clipcart.catalog.models import Product, ProductImage, ProductRevision, Sku
from clipcart.catalog.service import (
    ProductInput,
    create_product,
    product_of_shop,
    require_selling_shop,
)
from clipcart.catalog.snapshots import (
    changed_reviewed_fields,
    revision_snapshot,
    same_content,
    working_snapshot,
)
from clipcart.errors import ValidationFailed
from clipcart.ids import new_id
from clipcart.shops.models import Shop

PLATFORM_RECHECK = rules.Finding(
    "platform_deactivated", "clipcart deactivated this product before; a person reviews it "
    "before it goes live again.", "review")


def _listing(session: Session, product: Product, snapshot: dict[str, Any]) -> rules.Listing:
    category = get_category(session, snapshot["category_id"])
    required = [a.name for a in attributes_of(session, category.id)
                if a.required and not a.is_sales_option]
    return rules.Listing(
        market=product.market, currency=_currency(session, product),
        title=snapshot["title"], description=snapshot["description"], brand=snapshot["brand"],
        attributes=snapshot["attributes"], options=snapshot["options"],
        image_count=len(snapshot["images"]),
        skus=[rules.SkuPrice(s["seller_sku"], s["price_minor"], s["list_price_minor"])
              for s in snapshot["skus"]],
        category_path=category.path, category_prohibited=category.prohibited,
        required_attributes=required)


def _currency(session: Session, product: Product) -> str:
    return session.execute(select(Sku.currency).where(Sku.product_id == product.id)
                           .limit(1)).scalar_one()


def _new_revision(session: Session, product: Product, snapshot: dict[str, Any],
                  audit_status: str, findings: Sequence[rules.Finding],
                  submitted_by: int | None) -> ProductRevision:
    number = session.execute(select(func.coalesce(func.max(ProductRevision.number), 0))
                             .where(ProductRevision.product_id == product.id)).scalar_one() + 1
    now = clock.now()
    revision = ProductRevision(
        id=new_id(), product_id=product.id, shop_id=product.shop_id, number=number,
        title=snapshot["title"], description=snapshot["description"], brand=snapshot["brand"],
        category_id=snapshot["category_id"], attributes=snapshot["attributes"],
        options=snapshot["options"],
        images=[{k: v for k, v in i.items() if k != "id"} for i in snapshot["images"]],
        skus=snapshot["skus"], currency=_currency(session, product),
        min_price_minor=min(s["price_minor"] for s in snapshot["skus"]),
        audit_status=audit_status, reasons=[f.as_json() for f in findings],
        submitted_by=submitted_by, created_at=now,
        decided_at=None if audit_status == "IN_REVIEW" else now)
    session.add(revision)
    image_ids = [i["id"] for i in snapshot["images"]]
    if image_ids:
        session.execute(update(ProductImage).where(ProductImage.id.in_(image_ids))
                        .values(submitted=True))
    session.flush()
    return revision


def withdraw_open_reviews(session: Session, product: Product) -> None:
    """A newer submission (or a take-down) replaces what was waiting for an operator."""
    session.execute(update(ProductRevision)
                    .where(ProductRevision.product_id == product.id,
                           ProductRevision.audit_status == "IN_REVIEW")
                    .values(audit_status="WITHDRAWN", decided_at=clock.now()))


def _open_review(session: Session, product: Product) -> ProductRevision | None:
    return session.execute(select(ProductRevision).where(
        ProductRevision.product_id == product.id,
        ProductRevision.audit_status == "IN_REVIEW")).scalars().first()


def _live_edit_without_review(session: Session, product: Product, snapshot: dict[str, Any],
                              actor: Actor) -> bool:
    """A live product whose change needs no review goes live now. True when handled."""
    live = session.get(ProductRevision, product.live_revision_id)
    if live is None:
        return False
    live_snapshot = revision_snapshot(live)
    if same_content(live_snapshot, snapshot):
        product.unsubmitted_changes = False
        return True
    if changed_reviewed_fields(live_snapshot, snapshot):
        return False
    if rules.check(_listing(session, product, snapshot)):
        return False
    revision = _new_revision(session, product, snapshot, "APPROVED", [], actor.user_id)
    lifecycle.publish(session, product, revision)
    product.unsubmitted_changes = False
    return True


def _audit(session: Session, product: Product, actor: Actor) -> Product:
    """Freeze the working copy, move to PENDING and let the automatic rules decide."""
    snapshot = working_snapshot(session, product)
    if product.status == "ACTIVATE" and _live_edit_without_review(session, product, snapshot,
                                                                  actor):
        return product
    waiting = _open_review(session, product) if product.status == "PENDING" else None
    if waiting is not None and same_content(revision_snapshot(waiting), snapshot):
        product.unsubmitted_changes = False
        return product  # the same content is already waiting for an operator
    findings = rules.check(_listing(session, product, snapshot))
    rejects = [f for f in findings if f.action == "reject"]
    if product.status == "PLATFORM_DEACTIVATED" and not rejects:
        findings.append(PLATFORM_RECHECK)
    status = "REJECTED" if rejects else "IN_REVIEW" if findings else "APPROVED"
    withdraw_open_reviews(session, product)
    revision = _new_revision(session, product, snapshot, status, findings, actor.user_id)
    product.unsubmitted_changes = False
    messages = [f.message for f in findings]
    if product.status != "PENDING":
        lifecycle.move(session, product, "PENDING", actor, revision_id=revision.id,
                       reasons=messages if status == "IN_REVIEW" else (),
                       doing="submitted for review")
    if status == "REJECTED":
        lifecycle.move(session, product, "FAILED", AUTOMATIC_AUDIT, reasons=messages,
                       revision_id=revision.id)
    elif status == "APPROVED":
        lifecycle.move(session, product, "ACTIVATE", AUTOMATIC_AUDIT, revision_id=revision.id)
        lifecycle.publish(session, product, revision)
    return product


def submit_product(session: Session, shop: Shop, product_id: int, *,
                   actor_user_id: int | None = None) -> Product:
    """Send the working copy to audit; clean listings go live at once."""
    require_selling_shop(shop)
    product = product_of_shop(session, shop.id, product_id, lock=True)
    actor = Actor(SELLER, actor_user_id)
    if product.status not in ("ACTIVATE", "PENDING"):
        lifecycle.require_move(product, "PENDING", actor, "submitted for review")
    if product.category_id is None:
        raise ValidationFailed("Choose a category before submitting the product.",
                               field="category_id")
    return _audit(session, product, actor)


def create_and_submit(session: Session, shop: Shop, data: ProductInput, *,
                      images: Sequence[bytes] = (), actor_user_id: int | None = None) -> Product:
    """Create a product with its images and submit it (what a bulk import does per product).

    Call it inside ``session.begin_nested()`` to keep a failing product from touching others.
    """
    product = create_product(session, shop, data, actor_user_id=actor_user_id)
    for image in images:
        add_image(session, shop, product.id, image)
    return submit_product(session, shop, product.id, actor_user_id=actor_user_id)


def deactivate_product(session: Session, shop: Shop, product_id: int, *,
                       actor_user_id: int | None = None) -> Product:
    """Take a live product off sale; it keeps its approved version for re-activation."""
    product = product_of_shop(session, shop.id, product_id, lock=True)
    lifecycle.move(session, product, "SELLER_DEACTIVATED", Actor(SELLER, actor_user_id),
                   doing="deactivated")
    lifecycle.hide(session, product)
    return product


def activate_product(session: Session, shop: Shop, product_id: int, *,
                     actor_user_id: int | None = None) -> Product:
    """Put a deactivated product back on sale; unreviewed changes go through audit first."""
    require_selling_shop(shop)
    product = product_of_shop(session, shop.id, product_id, lock=True)
    actor = Actor(SELLER, actor_user_id)
    if product.status != "SELLER_DEACTIVATED":  # only what its seller deactivated
        lifecycle.require_move(product, "ACTIVATE", actor, "activated by its seller")
    if not product.unsubmitted_changes and product.live_revision_id is not None:
        lifecycle.move(session, product, "ACTIVATE", actor, doing="activated")
        lifecycle.publish(session, product)
        return product
    return _audit(session, product, actor)


def delete_product(session: Session, shop: Shop, product_id: int, *,
                   actor_user_id: int | None = None) -> None:
    """Gone from the shop and from buyers; rows stay for orders and history."""
    product = product_of_shop(session, shop.id, product_id, lock=True)
    lifecycle.move(session, product, "DELETED", Actor(SELLER, actor_user_id), doing="deleted")
    lifecycle.hide(session, product)
    withdraw_open_reviews(session, product)
    session.execute(update(Sku).where(Sku.product_id == product.id).values(removed=True))
