"""The only code that touches account rows: get-or-create, and ordered balance updates.

Accounts are created on first use with ``INSERT ... ON CONFLICT DO NOTHING`` (two writers
creating the same account both succeed and see one row). Balances change by one UPDATE per
account, issued in primary-key order so two operations never wait on each other in a
cycle; an update that lowers a protected account's available amount carries the condition
``available + change >= 0`` in its WHERE clause, so a concurrent overdraw finds no row to
update instead of reading a stale balance (the CHECK constraint backs it).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import Table, select, tuple_, update
from sqlalchemy.orm import Session

from clipcart import clock
from clipcart.db import upsert
from clipcart.errors import Conflict
from clipcart.ids import new_id
from clipcart.ledger.accounts import may_go_negative
from clipcart.ledger.models import LedgerAccount

ACCOUNTS: Table = LedgerAccount.__table__  # type: ignore[assignment]


@dataclass(frozen=True)
class AccountRef:
    id: int
    code: str
    currency: str
    may_go_negative: bool


@dataclass
class Change:
    """What one operation step does to one account's running figures."""

    balance: int = 0
    pending_debits: int = 0
    pending_credits: int = 0
    require_funds: bool = False  # guard even an account that may go negative

    @property
    def available(self) -> int:
        return self.balance - self.pending_debits


def insert_ignoring_conflicts(session: Session, table: Table, rows: list[dict[str, object]],
                              unique: list[str]) -> None:
    """INSERT rows, skipping those that clash on the unique columns (both databases)."""
    session.execute(upsert(session, table).values(rows)
                    .on_conflict_do_nothing(index_elements=unique))


def _select(session: Session, keys: list[tuple[str, str]]) -> dict[tuple[str, str], AccountRef]:
    c = ACCOUNTS.c
    rows = session.execute(
        select(c.id, c.code, c.currency, c.may_go_negative)
        .where(tuple_(c.code, c.currency).in_(keys))
    )
    return {(r.code, r.currency): AccountRef(r.id, r.code, r.currency, bool(r.may_go_negative))
            for r in rows}


def resolve(session: Session, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str],
                                                                        AccountRef]:
    """The accounts for (code, currency) pairs, created when missing. Codes are validated."""
    wanted = sorted(set(keys))
    flags = {key: may_go_negative(key[0]) for key in wanted}
    found = _select(session, wanted)
    missing = [key for key in wanted if key not in found]
    if missing:
        now = clock.now()
        # Sorted, so two transactions creating the same accounts queue instead of deadlocking.
        rows: list[dict[str, object]] = [
            {"id": new_id(), "code": code, "currency": currency,
             "may_go_negative": flags[(code, currency)], "balance": 0, "pending_debits": 0,
             "pending_credits": 0, "created_at": now}
            for code, currency in missing]
        insert_ignoring_conflicts(session, ACCOUNTS, rows, ["code", "currency"])
        found.update(_select(session, missing))
    return found


def apply_changes(session: Session, changes: Mapping[AccountRef, Change]) -> None:
    """Apply every change, one conditional UPDATE per account in primary-key order.

    Raises Conflict(INSUFFICIENT_FUNDS) when a guarded account would go below zero; the
    caller's savepoint then undoes the updates already made.
    """
    c = ACCOUNTS.c
    for account in sorted(changes, key=lambda a: a.id):
        change = changes[account]
        if not (change.balance or change.pending_debits or change.pending_credits):
            continue
        stmt = (
            update(ACCOUNTS).where(c.id == account.id)
            .values(balance=c.balance + change.balance,
                    pending_debits=c.pending_debits + change.pending_debits,
                    pending_credits=c.pending_credits + change.pending_credits)
            .returning(c.id)
        )
        guarded = change.require_funds or not account.may_go_negative
        if guarded and change.available < 0:
            stmt = stmt.where(c.balance - c.pending_debits + change.available >= 0)
        if session.execute(stmt).first() is None:
            raise Conflict(f"Not enough funds in {account.code} ({account.currency}).",
                           code="INSUFFICIENT_FUNDS",
                           extra={"account": account.code, "currency": account.currency})
