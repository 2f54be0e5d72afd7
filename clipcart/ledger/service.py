"""The ledger's operations: the only way money moves in clipcart.

``post`` writes an operation's transfers as POSTED; ``hold`` writes them as PENDING
(reserving the debit side's available amount) and ``post_pending`` / ``void_pending``
finish them. Each runs inside a savepoint of the caller's transaction, so a failure
(INSUFFICIENT_FUNDS, IDEMPOTENCY_MISMATCH) leaves nothing behind even when the caller
catches it and carries on. Idempotency keys are global: prefix them with your context
(``checkout:{id}:capture``). Nothing is ever edited: a correction is a new operation.

Accounts are locked in primary-key order within an operation. Put all the transfers of a
business step into one operation, and post one operation per transaction: two operations
in one transaction lock in two rounds, and two such transactions can deadlock.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from clipcart import clock, events
from clipcart.db import upsert
from clipcart.errors import Conflict, NotFound, ValidationFailed
from clipcart.ids import new_id
from clipcart.ledger import locks
from clipcart.ledger.accounts import check_currency, family, plain_text
from clipcart.ledger.invariants import check_invariants
from clipcart.ledger.models import (
    TRANSITIONS,
    LedgerAccount,
    LedgerOperation,
    LedgerTransfer,
    LedgerTransferChange,
)
from clipcart.ledger.reads import (
    account,
    available,
    balance,
    currency_totals,
    find_operation,
    get_operation,
    list_accounts,
    operations_for,
    statement,
    transfers_for,
)
from clipcart.ledger.views import (
    AccountPage,
    AccountSummary,
    Operation,
    StatementLine,
    StatementPage,
    TransferLine,
)
from clipcart.money import Money

__all__ = [
    "AccountPage", "AccountSummary", "Operation", "StatementLine", "StatementPage",
    "TransferLine", "TransferSpec", "account", "available", "balance", "check_invariants",
    "currency_totals", "find_operation",
    "get_operation", "hold", "list_accounts", "operations_for", "post", "post_pending",
    "statement", "transfers_for", "void_pending",
]

OPERATION_POSTED = "ledger.operation_posted"
MAX_TRANSFERS = 100
_KIND = re.compile(r"[a-z][a-z0-9_.]{0,39}")


@dataclass(frozen=True)
class TransferSpec:
    """Move ``amount`` from the ``debit`` account to the ``credit`` account.

    ``require_funds`` refuses to take the debit account below zero even when its family
    may go negative (a payout must not overdraw a seller's available balance).
    """

    debit: str
    credit: str
    amount: Money
    memo: str = ""
    require_funds: bool = False


def _validated(key: str, kind: str, reference: str,
               transfers: Sequence[TransferSpec]) -> list[TransferSpec]:
    if not plain_text(key, 200) or not key:
        raise ValidationFailed("An idempotency key of 1 to 200 plain characters is required.",
                               field="key")
    if not isinstance(kind, str) or not _KIND.fullmatch(kind):
        raise ValidationFailed("kind must be lower-case letters, digits, '_' or '.'.",
                               field="kind")
    if not plain_text(reference, 120) or not reference:
        raise ValidationFailed("A reference of 1 to 120 plain characters is required.",
                               field="reference")
    specs = list(transfers)
    if not 1 <= len(specs) <= MAX_TRANSFERS:
        raise ValidationFailed(f"An operation has 1 to {MAX_TRANSFERS} transfers.",
                               field="transfers")
    for spec in specs:
        if not isinstance(spec, TransferSpec) or not isinstance(spec.amount, Money):
            raise ValidationFailed("Each transfer is a TransferSpec with a Money amount.",
                                   field="transfers")
        family(spec.debit)
        family(spec.credit)
        check_currency(spec.amount.currency)
        if spec.amount.minor <= 0:
            raise ValidationFailed(f"Transfer amounts must be positive, not {spec.amount}.",
                                   field="amount")
        if spec.debit == spec.credit:
            raise ValidationFailed(f"A transfer needs two accounts, not {spec.debit} twice.",
                                   field="transfers")
        if not plain_text(spec.memo, 200):
            raise ValidationFailed("A memo is plain text of at most 200 characters.",
                                   field="memo")
    return specs


def _fingerprint(status: str, kind: str, reference: str, specs: list[TransferSpec]) -> str:
    body = [status, kind, reference, [[s.debit, s.credit, s.amount.minor, s.amount.currency,
                                       s.memo, s.require_funds] for s in specs]]
    return hashlib.sha256(json.dumps(body).encode()).hexdigest()


def _history(session: Session, rows: list[tuple[int, str | None, str]]) -> None:
    now = clock.now()
    for _, before, after in rows:
        if after not in TRANSITIONS[before]:  # a bug, not bad input
            raise AssertionError(f"transfer may not go from {before} to {after}")
    session.execute(insert(LedgerTransferChange), [
        {"id": new_id(), "transfer_id": tid, "from_status": before, "to_status": after,
         "created_at": now} for tid, before, after in rows])


def _emit_posted(session: Session, operation_id: int, kind: str, reference: str) -> None:
    events.emit(session, OPERATION_POSTED, {"operation_id": str(operation_id), "kind": kind,
                                            "reference": reference})


def _claim_key(session: Session, row: dict[str, Any]) -> tuple[int, str]:
    """Insert the operation unless its key is taken: (id, fingerprint) of the key's owner.

    A concurrent twin with the same key waits on the unique index until we commit or roll
    back, then finds our operation (or takes the key itself).
    """
    mine = session.execute(
        upsert(session, LedgerOperation).values(row)
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
        .returning(LedgerOperation.id)).first()
    if mine is not None:
        return int(mine.id), str(row["fingerprint"])
    first = session.execute(select(LedgerOperation.id, LedgerOperation.fingerprint)
                            .where(LedgerOperation.idempotency_key == row["idempotency_key"])
                            ).one()
    return first.id, first.fingerprint


def _record(session: Session, status: str, key: str, kind: str, reference: str,
            transfers: Sequence[TransferSpec]) -> Operation:
    specs = _validated(key, kind, reference, transfers)
    fingerprint = _fingerprint(status, kind, reference, specs)
    now = clock.now()
    op_id = new_id()
    with session.begin_nested():
        owner, owner_fingerprint = _claim_key(session, {
            "id": op_id, "kind": kind, "reference": reference, "idempotency_key": key,
            "fingerprint": fingerprint, "status": status, "created_at": now,
            "finished_at": now if status == "POSTED" else None})
        if owner != op_id:
            if owner_fingerprint != fingerprint:
                raise Conflict(f"Idempotency key {key!r} was used for a different operation.",
                               code="IDEMPOTENCY_MISMATCH")
            return get_operation(session, owner)
        accounts = locks.resolve(session, [(s.debit, s.amount.currency) for s in specs]
                                 + [(s.credit, s.amount.currency) for s in specs])
        changes: dict[locks.AccountRef, locks.Change] = defaultdict(locks.Change)
        rows: list[dict[str, Any]] = []
        lines: list[TransferLine] = []
        for seq, spec in enumerate(specs):
            cur = spec.amount.currency
            debit, credit = accounts[(spec.debit, cur)], accounts[(spec.credit, cur)]
            if status == "POSTED":
                changes[debit].balance -= spec.amount.minor
                changes[credit].balance += spec.amount.minor
            else:
                changes[debit].pending_debits += spec.amount.minor
                changes[credit].pending_credits += spec.amount.minor
            changes[debit].require_funds |= spec.require_funds
            rows.append({"id": new_id(), "operation_id": op_id, "seq": seq,
                         "debit_account_id": debit.id, "credit_account_id": credit.id,
                         "amount": spec.amount.minor, "currency": cur, "status": status,
                         "memo": spec.memo, "created_at": now,
                         "posted_at": now if status == "POSTED" else None})
            lines.append(TransferLine(rows[-1]["id"], op_id, seq, debit.code, credit.code,
                                      spec.amount, status, spec.memo, now,
                                      rows[-1]["posted_at"], None))
        session.execute(insert(LedgerTransfer), rows)
        _history(session, [(r["id"], None, status) for r in rows])
        if status == "POSTED":
            _emit_posted(session, op_id, kind, reference)
        # last: a busy account's row (escrow, PSP clearing) stays locked until the commit,
        # so the less that follows its UPDATE, the sooner the next payment gets it
        locks.apply_changes(session, changes)
    # what was just written, without reading it back (the key's owner is this operation)
    return Operation(op_id, kind, reference, key, status, now,
                     now if status == "POSTED" else None, tuple(lines))


def post(session: Session, *, key: str, kind: str, reference: str,
         transfers: Sequence[TransferSpec]) -> Operation:
    """Post every transfer at once. The same key again returns the first operation."""
    return _record(session, "POSTED", key, kind, reference, transfers)


def hold(session: Session, *, key: str, kind: str, reference: str,
         transfers: Sequence[TransferSpec]) -> Operation:
    """Write the transfers as PENDING: the debit sides' available amounts are reserved."""
    return _record(session, "PENDING", key, kind, reference, transfers)


def _claim_pending(session: Session, operation_id: int, target: str, now: datetime) -> Any:
    """Move a PENDING operation to ``target`` in one conditional UPDATE; None if it was not
    PENDING. A concurrent finisher waits on the row and then finds it no longer PENDING."""
    op = LedgerOperation
    return session.execute(
        update(op).where(op.id == operation_id, op.status == "PENDING")
        .values(status=target, finished_at=now).returning(op.kind, op.reference)
        .execution_options(synchronize_session=False)
    ).first()


def _finish(session: Session, operation_id: int, target: str) -> Operation:
    now = clock.now()
    t = LedgerTransfer
    with session.begin_nested():
        claimed = _claim_pending(session, operation_id, target, now)
        if claimed is None:
            current = session.execute(select(LedgerOperation.status)
                                      .where(LedgerOperation.id == operation_id)).first()
            if current is None:
                raise NotFound(f"Ledger operation {operation_id} does not exist.")
            if current.status != target:
                raise Conflict(f"Ledger operation {operation_id} is already "
                               f"{current.status.lower()}.", code=f"ALREADY_{current.status}")
            return get_operation(session, operation_id)
        stamp = {"posted_at": now} if target == "POSTED" else {"voided_at": now}
        moved = session.execute(
            update(t).where(t.operation_id == operation_id, t.status == "PENDING")
            .values(status=target, **stamp)
            .returning(t.id, t.debit_account_id, t.credit_account_id, t.amount)
            .execution_options(synchronize_session=False)
        ).all()
        ids = {r.debit_account_id for r in moved} | {r.credit_account_id for r in moved}
        refs = {row.id: locks.AccountRef(row.id, row.code, row.currency, row.may_go_negative)
                for row in session.execute(
                    select(LedgerAccount.id, LedgerAccount.code, LedgerAccount.currency,
                           LedgerAccount.may_go_negative).where(LedgerAccount.id.in_(ids)))}
        changes: dict[locks.AccountRef, locks.Change] = defaultdict(locks.Change)
        for r in moved:
            debit, credit = changes[refs[r.debit_account_id]], changes[refs[r.credit_account_id]]
            debit.pending_debits -= r.amount
            credit.pending_credits -= r.amount
            if target == "POSTED":
                debit.balance -= r.amount
                credit.balance += r.amount
        locks.apply_changes(session, changes)  # never lowers anyone's available amount
        _history(session, [(r.id, "PENDING", target) for r in moved])
        if target == "POSTED":
            _emit_posted(session, operation_id, claimed.kind, claimed.reference)
    return get_operation(session, operation_id)


def post_pending(session: Session, operation_id: int) -> Operation:
    """Post a held operation. Posting it again is a no-op; a voided one is ALREADY_VOIDED."""
    return _finish(session, operation_id, "POSTED")


def void_pending(session: Session, operation_id: int) -> Operation:
    """Release a held operation. Voiding it again is a no-op; a posted one is ALREADY_POSTED."""
    return _finish(session, operation_id, "VOIDED")

