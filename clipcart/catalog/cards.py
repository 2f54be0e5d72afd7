"""The catalog's card on the Seller Center dashboard: products by status, audit results."""

from __future__ import annotations

from sqlalchemy.orm import Session

from clipcart.catalog.lifecycle import STATUS_LABELS
from clipcart.catalog.seller_views import recent_audit_results, status_counts
from clipcart.shops.dashboard import Card, CardRow, register_card
from clipcart.shops.models import Shop

_AUDIT = {"APPROVED": ("Approved", "ok"), "REJECTED": ("Failed", "bad"),
          "IN_REVIEW": ("Manual review", "warn")}


@register_card
def products_card(session: Session, shop: Shop) -> Card:
    base = f"/seller/{shop.id}/products"
    counts = status_counts(session, shop.id)
    stats = [
        CardRow("Live", str(counts.get("ACTIVATE", 0)), f"{base}?tab=live", "ok"),
        CardRow("In review", str(counts.get("PENDING", 0)), f"{base}?tab=review", "warn"),
        CardRow("Failed", str(counts.get("FAILED", 0)), f"{base}?tab=failed",
                "bad" if counts.get("FAILED") else ""),
        CardRow("Drafts", str(counts.get("DRAFT", 0)), f"{base}?tab=drafts"),
    ]
    deactivated = counts.get("SELLER_DEACTIVATED", 0) + counts.get("PLATFORM_DEACTIVATED", 0)
    if deactivated:
        stats.append(CardRow(STATUS_LABELS["SELLER_DEACTIVATED"], str(deactivated),
                             f"{base}?tab=deactivated"))
    rows = []
    for result in recent_audit_results(session, shop.id):
        label, tone = _AUDIT[result.audit_status]
        reason = result.reasons[0]["message"] if result.reasons else ""
        rows.append(CardRow(f"{result.title}" + (f": {reason}" if reason else ""), label,
                            f"{base}/{result.product_id}", tone))
    return Card("Products", stats=stats, rows=rows,
                empty="No audit results yet. Submit a product to see them here.",
                link=CardRow("Add a product", "", f"{base}/new"))
