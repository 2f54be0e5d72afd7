"""Discovery follows the catalog: the search index changes whenever what buyers see does."""

from __future__ import annotations

from sqlalchemy.orm import Session

from clipcart.discovery.indexer import index_product
from clipcart.events import Event, handles


@handles("catalog.product_live_changed", name="discovery.index_product")
def reindex_on_live_change(session: Session, event: Event) -> None:
    """Idempotent: the indexer re-reads the product, whatever the event says."""
    index_product(session, int(event.payload["product_id"]))
