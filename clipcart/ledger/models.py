"""Ledger tables: accounts, operations, transfers and the history of transfer states.

Amounts are integer minor units. An account's ``balance`` is credits minus debits of its
POSTED transfers; ``pending_debits`` / ``pending_credits`` are the amounts of its PENDING
transfers. Its available amount is ``balance - pending_debits``. These running figures are
changed only by ``clipcart.ledger.locks`` in the transaction that writes the transfers, and
``check_invariants`` recomputes them from the transfers.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from clipcart.db import Base, IdType, UtcDateTime
from clipcart.money import Money

TRANSFER_STATUSES = ("PENDING", "POSTED", "VOIDED")
OPERATION_STATUSES = TRANSFER_STATUSES

# The transfer state machine: where a transfer may go from each state (None: created).
TRANSITIONS: dict[str | None, frozenset[str]] = {
    None: frozenset({"PENDING", "POSTED"}),
    "PENDING": frozenset({"POSTED", "VOIDED"}),
    "POSTED": frozenset(),
    "VOIDED": frozenset(),
}


class LedgerAccount(Base):
    __tablename__ = "ledger_accounts"
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    code: Mapped[str] = mapped_column(String(120))
    currency: Mapped[str] = mapped_column(String(3))
    may_go_negative: Mapped[bool] = mapped_column(Boolean)
    balance: Mapped[int] = mapped_column(BigInteger, default=0)
    pending_debits: Mapped[int] = mapped_column(BigInteger, default=0)
    pending_credits: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (
        UniqueConstraint("code", "currency"),
        CheckConstraint("may_go_negative OR balance - pending_debits >= 0",
                        name="available_not_negative"),
        CheckConstraint("pending_debits >= 0", name="pending_debits_not_negative"),
        CheckConstraint("pending_credits >= 0", name="pending_credits_not_negative"),
    )

    @property
    def available(self) -> int:
        return self.balance - self.pending_debits


class LedgerOperation(Base):
    """A business operation: its transfers are written, held or posted all at once."""

    __tablename__ = "ledger_operations"
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    reference: Mapped[str] = mapped_column(String(120))
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)

    __table_args__ = (
        CheckConstraint("status IN ('PENDING', 'POSTED', 'VOIDED')", name="known_status"),
        Index("ix_ledger_operations_reference", "reference", "id"),
    )


class LedgerTransfer(Base):
    """One amount in one currency from the debit account to the credit account."""

    __tablename__ = "ledger_transfers"
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    operation_id: Mapped[int] = mapped_column(IdType, ForeignKey("ledger_operations.id"))
    seq: Mapped[int] = mapped_column(Integer)
    debit_account_id: Mapped[int] = mapped_column(IdType, ForeignKey("ledger_accounts.id"))
    credit_account_id: Mapped[int] = mapped_column(IdType, ForeignKey("ledger_accounts.id"))
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(8))
    memo: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    posted_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    voided_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)

    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("debit_account_id <> credit_account_id", name="two_accounts"),
        CheckConstraint("status IN ('PENDING', 'POSTED', 'VOIDED')", name="known_status"),
        UniqueConstraint("operation_id", "seq"),
        Index("ix_ledger_transfers_debit", "debit_account_id", "id"),
        Index("ix_ledger_transfers_credit", "credit_account_id", "id"),
    )

    @property
    def money(self) -> Money:
        return Money(self.amount, self.currency)


class LedgerTransferChange(Base):
    """Append-only history: every state a transfer entered, and when."""

    __tablename__ = "ledger_transfer_changes"
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    transfer_id: Mapped[int] = mapped_column(IdType, ForeignKey("ledger_transfers.id"))
    from_status: Mapped[str | None] = mapped_column(String(8), nullable=True)
    to_status: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (Index("ix_ledger_transfer_changes_transfer", "transfer_id", "id"),)
