"""The books, checked from first principles: every figure recomputed from the transfers.

Each check is one query that returns only what is wrong, so a healthy ledger of any size
answers with a handful of empty results.
"""

from __future__ import annotations

from sqlalchemy import and_, case, exists, func, literal, or_, select, union_all
from sqlalchemy.orm import Session, aliased

from clipcart.ledger.models import (
    LedgerAccount,
    LedgerOperation,
    LedgerTransfer,
    LedgerTransferChange,
)

LIMIT = 100  # findings reported per check


def _currency_sums(session: Session) -> list[str]:
    a = LedgerAccount
    rows = session.execute(
        select(a.currency, func.sum(a.balance), func.sum(a.pending_debits),
               func.sum(a.pending_credits))
        .group_by(a.currency).order_by(a.currency))
    found = []
    for currency, posted, held_out, held_in in rows:
        if posted:
            found.append(f"{currency}: posted balances sum to {posted}, not 0")
        if held_out != held_in:
            found.append(f"{currency}: pending debits {held_out} differ from pending "
                         f"credits {held_in}")
    return found


def _running_figures(session: Session) -> list[str]:
    t, a = LedgerTransfer, LedgerAccount
    sides = union_all(
        select(t.credit_account_id.label("account_id"), t.amount.label("amount"),
               t.status.label("status"), literal("C").label("side")),
        select(t.debit_account_id, t.amount, t.status, literal("D")),
    ).subquery()
    signed = case((sides.c.side == "C", sides.c.amount), else_=-sides.c.amount)
    agg = (
        select(sides.c.account_id,
               func.sum(case((sides.c.status == "POSTED", signed), else_=0)).label("posted"),
               func.sum(case((and_(sides.c.status == "PENDING", sides.c.side == "D"),
                              sides.c.amount), else_=0)).label("held_out"),
               func.sum(case((and_(sides.c.status == "PENDING", sides.c.side == "C"),
                              sides.c.amount), else_=0)).label("held_in"))
        .group_by(sides.c.account_id).subquery()
    )
    posted = func.coalesce(agg.c.posted, 0)
    held_out = func.coalesce(agg.c.held_out, 0)
    held_in = func.coalesce(agg.c.held_in, 0)
    rows = session.execute(
        select(a.code, a.currency, a.balance, a.pending_debits, a.pending_credits,
               posted, held_out, held_in)
        .outerjoin(agg, agg.c.account_id == a.id)
        .where(or_(a.balance != posted, a.pending_debits != held_out,
                   a.pending_credits != held_in))
        .order_by(a.code, a.currency).limit(LIMIT))
    found = []
    for code, cur, bal, out, inn, want_bal, want_out, want_in in rows:
        if bal != want_bal:
            found.append(f"{code} {cur}: balance {bal} but posted transfers sum to {want_bal}")
        if out != want_out:
            found.append(f"{code} {cur}: pending debits {out} but pending transfers "
                         f"hold {want_out}")
        if inn != want_in:
            found.append(f"{code} {cur}: pending credits {inn} but pending transfers "
                         f"bring {want_in}")
    return found


def _overdrawn(session: Session) -> list[str]:
    a = LedgerAccount
    rows = session.execute(
        select(a.code, a.currency, a.balance - a.pending_debits)
        .where(a.may_go_negative.is_(False), a.balance - a.pending_debits < 0)
        .order_by(a.code, a.currency).limit(LIMIT))
    return [f"{code} {cur}: available {value} is below zero and the account may not go "
            f"negative" for code, cur, value in rows]


def _mismatched_transfers(session: Session) -> list[str]:
    t, op = LedgerTransfer, LedgerOperation
    debit, credit = aliased(LedgerAccount), aliased(LedgerAccount)
    rows = session.execute(
        select(t.id, t.currency, t.status, debit.currency, credit.currency, op.status)
        .join(debit, debit.id == t.debit_account_id)
        .join(credit, credit.id == t.credit_account_id)
        .join(op, op.id == t.operation_id)
        .where(or_(debit.currency != t.currency, credit.currency != t.currency,
                   op.status != t.status))
        .order_by(t.id).limit(LIMIT))
    found = []
    for tid, cur, status, dcur, ccur, op_status in rows:
        if cur != dcur or cur != ccur:
            found.append(f"transfer {tid} in {cur} joins accounts in {dcur} and {ccur}")
        if status != op_status:
            found.append(f"transfer {tid} is {status} but its operation is {op_status}")
    return found


def _history(session: Session) -> list[str]:
    t, ch = LedgerTransfer, LedgerTransferChange
    entered = exists().where(ch.transfer_id == t.id, ch.to_status == t.status)
    left = exists().where(ch.transfer_id == t.id, ch.from_status == t.status)
    rows = session.execute(select(t.id, t.status).where(or_(~entered, left))
                           .order_by(t.id).limit(LIMIT))
    return [f"transfer {tid} is {status} but its history does not end there"
            for tid, status in rows]


def check_invariants(session: Session) -> list[str]:
    """Everything wrong with the books, in words; an empty list when they are right.

    Per currency posted balances sum to zero and pending debits equal pending credits;
    each account's running figures equal what its transfers say; no protected account is
    below zero; each transfer's currency is its accounts' and its status its operation's;
    each transfer's history ends in its current state.
    """
    return (_currency_sums(session) + _running_figures(session) + _overdrawn(session)
            + _mismatched_transfers(session) + _history(session))
