"""The search index: one row per live product, written only by ``discovery.indexer``.

The text index itself lives beside this table and is dialect specific (see the 0008
migration): on SQLite an external-content FTS5 table kept in step by triggers, on
PostgreSQL a generated ``tsvector`` column with a GIN index. Neither is in the models.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from clipcart.db import Base, IdType


class ProductSearchEntry(Base):
    __tablename__ = "product_search"
    product_id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=False)
    revision_id: Mapped[int] = mapped_column(IdType)  # the live revision this row was built from
    market: Mapped[str] = mapped_column(String(2))
    shop_id: Mapped[int] = mapped_column(IdType)
    category_id: Mapped[int] = mapped_column(IdType)
    price_minor: Mapped[int] = mapped_column(BigInteger)  # the lowest SKU price
    currency: Mapped[str] = mapped_column(String(3))
    title: Mapped[str] = mapped_column(String(255))
    image_key: Mapped[str | None] = mapped_column(String(300), nullable=True)  # main thumbnail
    document: Mapped[str] = mapped_column(Text)  # brand, description, category, attributes

    __table_args__ = (Index("ix_product_search_market_price", "market", "price_minor"),
                      Index("ix_product_search_market_category", "market", "category_id"))
