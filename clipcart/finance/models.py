"""Finance tables: one settlement row per order (its lines' fees), after-sales blocks,
refunds booked against an order, bank accounts, payouts and daily statements.

Amounts are integer minor units in the row's currency. Fees and tax are computed once, when
the row is created, with explicit rounding (see ``clipcart.finance.fees``), and stored here.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from clipcart.db import Base, IdType, UtcDateTime

SETTLEMENT_STATUSES = ("OPEN", "SETTLED")
PAYOUT_STATUSES = ("PROCESSING", "PAID", "FAILED", "RETURNED")

# The payout state machine: where a payout may go from each state (None: created).
PAYOUT_TRANSITIONS: dict[str | None, frozenset[str]] = {
    None: frozenset({"PROCESSING"}),
    "PROCESSING": frozenset({"PAID", "FAILED"}),
    "PAID": frozenset({"RETURNED"}),
    "FAILED": frozenset(),
    "RETURNED": frozenset(),
}


class Settlement(Base):
    """An order's money on its way from escrow to the seller.

    OPEN until settled; ``due_at`` is set at delivery (delivery + the market's
    settlement_days). ``refunded_minor`` counts every refund of the order; the fee and tax
    shares of those refunds are cumulative (``fee_refunded_minor``, ``tax_refunded_minor``).
    Refund and settlement serialise on this row (see ``clipcart.finance.settlement``).
    """

    __tablename__ = "finance_settlements"
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    order_id: Mapped[int] = mapped_column(IdType, unique=True)
    shop_id: Mapped[int] = mapped_column(IdType, ForeignKey("shops.id"))
    market: Mapped[str] = mapped_column(String(2))
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(8))
    order_total_minor: Mapped[int] = mapped_column(BigInteger)  # what the buyer paid
    tax_minor: Mapped[int] = mapped_column(BigInteger)  # collected by the platform
    fee_base_minor: Mapped[int] = mapped_column(BigInteger)
    referral_fee_minor: Mapped[int] = mapped_column(BigInteger)
    refunded_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    fee_refunded_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    tax_refunded_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    admin_fee_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    settled_net_minor: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    settled_fee_minor: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    settled_tax_minor: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    clawed_back_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    open_requests: Mapped[int] = mapped_column(Integer, default=0)
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    due_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    settled_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (
        CheckConstraint("status IN ('OPEN', 'SETTLED')", name="known_status"),
        CheckConstraint("open_requests >= 0", name="open_requests_not_negative"),
        CheckConstraint("refunded_minor >= 0 AND fee_refunded_minor >= 0 AND "
                        "tax_refunded_minor >= 0 AND admin_fee_minor >= 0",
                        name="refunds_not_negative"),
        CheckConstraint("referral_fee_minor >= 0 AND tax_minor >= 0 AND fee_base_minor >= 0",
                        name="amounts_not_negative"),
        Index("ix_finance_settlements_due", "status", "due_at"),
        Index("ix_finance_settlements_shop", "shop_id", "id"),
    )


class SettlementLine(Base):
    """The referral fee of one order line: base, the rate that applied and the fee."""

    __tablename__ = "finance_settlement_lines"
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    settlement_id: Mapped[int] = mapped_column(IdType, ForeignKey("finance_settlements.id",
                                                                  ondelete="CASCADE"))
    order_line_id: Mapped[int] = mapped_column(IdType)
    title: Mapped[str] = mapped_column(String(255))
    category_path: Mapped[str] = mapped_column(String(400), default="")
    base_minor: Mapped[int] = mapped_column(BigInteger)
    fee_rate: Mapped[str] = mapped_column(String(12))  # a decimal share, e.g. "0.06"
    fee_minor: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = (Index("ix_finance_settlement_lines_settlement", "settlement_id"),)


class SettlementBlock(Base):
    """An after-sales request on an order; while open, the order does not settle."""

    __tablename__ = "finance_settlement_blocks"
    request_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    order_id: Mapped[int] = mapped_column(IdType)
    kind: Mapped[str] = mapped_column(String(40), default="")
    outcome: Mapped[str | None] = mapped_column(String(40), nullable=True)
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)

    __table_args__ = (Index("ix_finance_settlement_blocks_order", "order_id"),)


class OrderRefund(Base):
    """A refund of an order as finance booked it: from escrow, or clawed back after
    settlement (the seller's part, the fee and tax returned, the admin fee kept)."""

    __tablename__ = "finance_refunds"
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    order_id: Mapped[int] = mapped_column(IdType)
    shop_id: Mapped[int] = mapped_column(IdType)
    currency: Mapped[str] = mapped_column(String(3))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    after_settlement: Mapped[bool] = mapped_column(Boolean)
    seller_minor: Mapped[int] = mapped_column(BigInteger)  # clawed back from the seller
    fee_minor: Mapped[int] = mapped_column(BigInteger)  # fee share of the refund
    tax_minor: Mapped[int] = mapped_column(BigInteger)  # tax share of the refund
    admin_fee_minor: Mapped[int] = mapped_column(BigInteger)
    ledger_operation_id: Mapped[int] = mapped_column(IdType)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (Index("ix_finance_refunds_order", "order_id", "id"),)


class BankAccount(Base):
    """A shop's payout account; holder and number are AES-GCM (clipcart.crypto)."""

    __tablename__ = "finance_bank_accounts"
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    shop_id: Mapped[int] = mapped_column(IdType, ForeignKey("shops.id"), unique=True)
    holder_name: Mapped[str] = mapped_column(Text)  # encrypted
    account_number: Mapped[str] = mapped_column(Text)  # encrypted
    bank_name: Mapped[str] = mapped_column(String(120))
    last4: Mapped[str] = mapped_column(String(4))
    auto_payout: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Payout(Base):
    __tablename__ = "finance_payouts"
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    shop_id: Mapped[int] = mapped_column(IdType, ForeignKey("shops.id"))
    bank_account_id: Mapped[int] = mapped_column(IdType, ForeignKey("finance_bank_accounts.id"))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(12))
    trigger: Mapped[str] = mapped_column(String(10))  # request or schedule
    request_key: Mapped[str] = mapped_column(String(300), unique=True)
    hold_operation_id: Mapped[int | None] = mapped_column(IdType, nullable=True)
    rail_reference: Mapped[str | None] = mapped_column(String(80), nullable=True)
    failure_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (
        CheckConstraint("amount_minor > 0", name="positive_amount"),
        CheckConstraint("status IN ('PROCESSING', 'PAID', 'FAILED', 'RETURNED')",
                        name="known_status"),
        Index("ix_finance_payouts_shop", "shop_id", "id"),
        Index("ix_finance_payouts_status", "status", "id"),
    )


class PayoutHistory(Base):
    __tablename__ = "finance_payout_history"
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    payout_id: Mapped[int] = mapped_column(IdType, ForeignKey("finance_payouts.id",
                                                              ondelete="CASCADE"))
    from_status: Mapped[str | None] = mapped_column(String(12), nullable=True)
    to_status: Mapped[str] = mapped_column(String(12))
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (Index("ix_finance_payout_history_payout", "payout_id", "id"),)


class Statement(Base):
    """A shop's closed day (in its market's time zone): totals of the ledger movements of
    ``seller:{shop}:available`` that day. Transactions are read from the ledger."""

    __tablename__ = "finance_statements"
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    shop_id: Mapped[int] = mapped_column(IdType, ForeignKey("shops.id"))
    statement_date: Mapped[date] = mapped_column(Date)
    currency: Mapped[str] = mapped_column(String(3))
    opening_minor: Mapped[int] = mapped_column(BigInteger)
    revenue_minor: Mapped[int] = mapped_column(BigInteger)
    fee_minor: Mapped[int] = mapped_column(BigInteger)
    tax_minor: Mapped[int] = mapped_column(BigInteger)
    refund_minor: Mapped[int] = mapped_column(BigInteger)
    adjustment_minor: Mapped[int] = mapped_column(BigInteger)
    payout_minor: Mapped[int] = mapped_column(BigInteger)
    settlement_minor: Mapped[int] = mapped_column(BigInteger)
    closing_minor: Mapped[int] = mapped_column(BigInteger)
    transaction_count: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (UniqueConstraint("shop_id", "statement_date"),
                      Index("ix_finance_statements_shop", "shop_id", "statement_date"))
