"""Reading the ledger: balances, operations, statements and account lists.

Every list is keyset-paginated and costs a constant number of queries. An account that was
never used reads as zero.
"""

from __future__ import annotations

from sqlalchemy import func, select, tuple_
from sqlalchemy.orm import Session, aliased

from clipcart.errors import NotFound, ValidationFailed
from clipcart.ledger.accounts import check_currency, family, plain_text
from clipcart.ledger.models import LedgerAccount, LedgerOperation, LedgerTransfer
from clipcart.ledger.views import (
    AccountPage,
    AccountSummary,
    Operation,
    StatementLine,
    StatementPage,
    TransferLine,
    check_page_size,
    decode_token,
    encode_token,
    load_operations,
    summary,
)
from clipcart.money import Money


def account(session: Session, code: str, currency: str) -> AccountSummary | None:
    """An account's figures, or None when nothing was ever posted to it."""
    family(code)
    check_currency(currency)
    row = session.execute(
        select(LedgerAccount)
        .where(LedgerAccount.code == code, LedgerAccount.currency == currency)
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    return summary(row) if row is not None else None


def balance(session: Session, code: str, currency: str) -> Money:
    """The posted balance: credits minus debits of the account's POSTED transfers."""
    found = account(session, code, currency)
    return found.balance if found else Money.zero(currency)


def available(session: Session, code: str, currency: str) -> Money:
    """The posted balance less what PENDING transfers hold on the way out."""
    found = account(session, code, currency)
    return found.available if found else Money.zero(currency)


def get_operation(session: Session, operation_id: int) -> Operation:
    found = load_operations(session, LedgerOperation.id == operation_id)
    if not found:
        raise NotFound(f"Ledger operation {operation_id} does not exist.")
    return found[0]


def find_operation(session: Session, key: str) -> Operation | None:
    """The operation posted or held under an idempotency key, if any."""
    if not plain_text(key, 200):
        return None
    found = load_operations(session, LedgerOperation.idempotency_key == key)
    return found[0] if found else None


def operations_for(session: Session, reference: str) -> list[Operation]:
    """Every operation of a business reference (``order:123``), oldest first."""
    if not plain_text(reference, 120):
        return []  # no operation was ever written with such a reference
    return load_operations(session, LedgerOperation.reference == reference)


def transfers_for(session: Session, reference: str) -> list[TransferLine]:
    """Every transfer of a business reference, in the order they were written."""
    return [t for op in operations_for(session, reference) for t in op.transfers]


def list_accounts(session: Session, *, prefix: str = "", currency: str | None = None,
                  page_token: str | None = None, page_size: int = 50) -> AccountPage:
    """Accounts by code then currency, optionally those whose code starts with ``prefix``."""
    check_page_size(page_size)
    if not plain_text(prefix, 120):
        raise ValidationFailed("Search account codes with plain text.", field="prefix")
    a = LedgerAccount
    query = select(a).order_by(a.code, a.currency).limit(page_size + 1)
    if prefix:
        query = query.where(a.code.startswith(prefix, autoescape=True))
    if currency:
        query = query.where(a.currency == check_currency(currency))
    if page_token:
        code, cur = decode_token(page_token, (str, str))
        query = query.where(tuple_(a.code, a.currency) > tuple_(code, cur))
    rows = session.execute(query.execution_options(populate_existing=True)).scalars().all()
    page = [summary(r) for r in rows[:page_size]]
    more = len(rows) > page_size
    return AccountPage(page, encode_token([page[-1].code, page[-1].currency]) if more else None)


def _side(session: Session, account_id: int, incoming: bool, before: int | None,
          limit: int) -> list[StatementLine]:
    t, op = LedgerTransfer, LedgerOperation
    other = aliased(LedgerAccount)
    mine = t.credit_account_id if incoming else t.debit_account_id
    theirs = t.debit_account_id if incoming else t.credit_account_id
    query = (
        select(t.id, t.operation_id, op.kind, op.reference, t.memo, other.code, t.amount,
               t.currency, t.status, t.created_at, t.posted_at)
        .join(op, op.id == t.operation_id).join(other, other.id == theirs)
        .where(mine == account_id).order_by(t.id.desc()).limit(limit)
    )
    if before is not None:
        query = query.where(t.id < before)
    sign = 1 if incoming else -1
    return [StatementLine(r.id, r.operation_id, r.kind, r.reference, r.memo, r.code,
                          Money(sign * r.amount, r.currency), r.status, r.created_at,
                          r.posted_at) for r in session.execute(query)]


def statement(session: Session, code: str, currency: str, page_token: str | None = None,
              page_size: int = 50) -> StatementPage:
    """An account's transfers (all statuses), newest first, in three queries a page."""
    check_page_size(page_size)
    found = account(session, code, currency)
    before = None
    if page_token:
        (before,) = decode_token(page_token, (int,))
    if found is None:
        return StatementPage(None, [], None)
    # Two index range scans (credit side, debit side) merged here, instead of one OR
    # that a large account (escrow) would have to sort in full.
    lines = sorted(_side(session, found.id, True, before, page_size + 1)
                   + _side(session, found.id, False, before, page_size + 1),
                   key=lambda line: line.transfer_id, reverse=True)
    more = len(lines) > page_size
    lines = lines[:page_size]
    return StatementPage(found, lines,
                         encode_token([lines[-1].transfer_id]) if more else None)


def currency_totals(session: Session) -> list[tuple[str, int, Money]]:
    """Per currency: how many accounts, and the sum of their posted balances (zero)."""
    a = LedgerAccount
    rows = session.execute(select(a.currency, func.count(), func.sum(a.balance))
                           .group_by(a.currency).order_by(a.currency))
    return [(cur, n, Money(int(total or 0), cur)) for cur, n, total in rows]

