"""The Seller Center dashboard's stock card: low stock, units, warehouses."""

from __future__ import annotations

from sqlalchemy.orm import Session

from clipcart.inventory import queries
from clipcart.shops.dashboard import Card, CardRow, register_card
from clipcart.shops.models import Shop


@register_card
def stock_card(session: Session, shop: Shop) -> Card:
    base = f"/seller/{shop.id}"
    totals = queries.summary(session, shop.id)
    lowest = queries.low_stock(session, shop.id, limit=5)
    return Card(
        title="Stock",
        stats=[
            CardRow("Low-stock SKUs", f"{totals.low_stock_skus:,}", f"{base}/inventory?low=1",
                    tone="warn" if totals.low_stock_skus else "ok"),
            CardRow("Units on hand", f"{totals.units_on_hand:,}", f"{base}/inventory"),
            CardRow("Units reserved", f"{totals.units_reserved:,}", f"{base}/inventory"),
            CardRow("Warehouses", f"{totals.warehouses:,}", f"{base}/warehouses"),
        ],
        rows=[CardRow(f"{sku.product_title} · {sku.seller_sku} ({cell.warehouse.name})",
                      "sold out" if cell.available <= 0 else f"{cell.available:,} left",
                      f"{base}/inventory/{sku.id}/movements",
                      tone="bad" if cell.available <= 0 else "warn")
              for sku, cell in lowest],
        empty="Nothing is low on stock.",
        link=CardRow("Manage inventory", "", f"{base}/inventory"),
    )
