"""What the ledger hands out: immutable snapshots, never live ORM rows.

Other contexts keep an operation's id and read its transfers by account code; a snapshot
cannot go stale or lazy-load after the caller's session has closed.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session, aliased

from clipcart.errors import ValidationFailed
from clipcart.ledger.models import LedgerAccount, LedgerOperation, LedgerTransfer
from clipcart.money import Money

MAX_PAGE_SIZE = 100


@dataclass(frozen=True)
class TransferLine:
    id: int
    operation_id: int
    seq: int
    debit: str  # the account code money leaves
    credit: str  # the account code money enters
    amount: Money
    status: str
    memo: str
    created_at: datetime
    posted_at: datetime | None
    voided_at: datetime | None


@dataclass(frozen=True)
class Operation:
    id: int
    kind: str
    reference: str
    idempotency_key: str
    status: str  # PENDING (held), POSTED or VOIDED
    created_at: datetime
    finished_at: datetime | None
    transfers: tuple[TransferLine, ...]


@dataclass(frozen=True)
class AccountSummary:
    id: int
    code: str
    currency: str
    may_go_negative: bool
    balance: Money  # posted
    pending_debits: Money  # held on the way out
    pending_credits: Money  # held on the way in
    created_at: datetime

    @property
    def available(self) -> Money:
        return self.balance - self.pending_debits


@dataclass(frozen=True)
class AccountPage:
    accounts: list[AccountSummary]
    next_page_token: str | None


@dataclass(frozen=True)
class StatementLine:
    transfer_id: int
    operation_id: int
    kind: str
    reference: str
    memo: str
    counterparty: str
    amount: Money  # positive when money came in, negative when it went out
    status: str
    created_at: datetime
    posted_at: datetime | None


@dataclass(frozen=True)
class StatementPage:
    account: AccountSummary | None
    lines: list[StatementLine]
    next_page_token: str | None


def summary(row: LedgerAccount) -> AccountSummary:
    cur = row.currency
    return AccountSummary(row.id, row.code, cur, bool(row.may_go_negative),
                          Money(row.balance, cur), Money(row.pending_debits, cur),
                          Money(row.pending_credits, cur), row.created_at)


def load_operations(session: Session, where: ColumnElement[bool]) -> list[Operation]:
    """Operations matching ``where`` with their transfers, in two queries."""
    ops = session.execute(select(LedgerOperation).where(where).order_by(LedgerOperation.id)
                          .execution_options(populate_existing=True)).scalars().all()
    if not ops:
        return []
    debit, credit = aliased(LedgerAccount), aliased(LedgerAccount)
    t = LedgerTransfer
    rows = session.execute(
        select(t.id, t.operation_id, t.seq, debit.code.label("debit"),
               credit.code.label("credit"), t.amount, t.currency, t.status, t.memo,
               t.created_at, t.posted_at, t.voided_at)
        .join(debit, debit.id == t.debit_account_id)
        .join(credit, credit.id == t.credit_account_id)
        .where(t.operation_id.in_([op.id for op in ops]))
        .order_by(t.operation_id, t.seq)
    ).all()
    lines: dict[int, list[TransferLine]] = {op.id: [] for op in ops}
    for r in rows:
        lines[r.operation_id].append(TransferLine(
            r.id, r.operation_id, r.seq, r.debit, r.credit, Money(r.amount, r.currency),
            r.status, r.memo, r.created_at, r.posted_at, r.voided_at))
    return [Operation(op.id, op.kind, op.reference, op.idempotency_key, op.status,
                      op.created_at, op.finished_at, tuple(lines[op.id])) for op in ops]


def check_page_size(page_size: int) -> int:
    if not isinstance(page_size, int) or not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ValidationFailed(f"page_size must be between 1 and {MAX_PAGE_SIZE}.",
                               field="page_size")
    return page_size


def encode_token(values: Sequence[Any]) -> str:
    raw = json.dumps(list(values), separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_token(token: str, types: Sequence[type]) -> list[Any]:
    """The keyset values inside a page token; ValidationFailed when it was not ours."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        values = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError):
        values = None
    if (not isinstance(values, list) or len(values) != len(types)
            or not all(type(v) is want for v, want in zip(values, types, strict=True))):
        raise ValidationFailed("page_token is not valid; start from the first page.",
                               field="page_token")
    return values
