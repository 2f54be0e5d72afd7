"""Bank accounts and payouts: seller:{shop}:available -> external:bank.

A payout is a ledger *hold* taken with ``require_funds``: the ledger's one conditional
UPDATE refuses it when the available balance (less what other holds reserve) is short, so
two payouts requested at once can never take more than the balance. The rail is called
after commit; success posts the hold, failure voids it, and a return after success is a new
transfer back. Payout states: PROCESSING -> PAID | FAILED; PAID -> RETURNED.
"""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from clipcart import clock, crypto
from clipcart.db import Database
from clipcart.errors import Conflict, ValidationFailed
from clipcart.finance import fees
from clipcart.finance.models import PAYOUT_TRANSITIONS, BankAccount, Payout, PayoutHistory
from clipcart.finance.rail import PayoutInstruction, PayoutRail, RailResult, get_rail
from clipcart.ids import new_id
from clipcart.ledger import service as ledger
from clipcart.ledger.accounts import EXTERNAL_BANK, seller_available
from clipcart.money import Money
from clipcart.shops.models import Shop

_NUMBER = re.compile(r"[A-Z0-9]{6,34}")


def _context(shop_id: int) -> str:
    return f"bank-account:{shop_id}"


def save_bank_account(session: Session, shop: Shop, *, holder_name: str, account_number: str,
                      bank_name: str, auto_payout: bool) -> BankAccount:
    """Add or replace the shop's payout account; holder and number are stored encrypted."""
    holder = " ".join((holder_name or "").split())
    number = re.sub(r"[\s-]", "", account_number or "").upper()
    bank = " ".join((bank_name or "").split())
    if not 1 <= len(holder) <= 120 or not holder.isprintable():
        raise ValidationFailed("Give the account holder's name (1 to 120 characters).",
                               field="holder_name")
    if not _NUMBER.fullmatch(number):
        raise ValidationFailed("An account number is 6 to 34 letters or digits.",
                               field="account_number")
    if not 1 <= len(bank) <= 120 or not bank.isprintable():
        raise ValidationFailed("Give the bank's name (1 to 120 characters).", field="bank_name")
    now = clock.now()
    values = {"holder_name": crypto.encrypt(holder, _context(shop.id)),
              "account_number": crypto.encrypt(number, _context(shop.id)),
              "bank_name": bank, "last4": number[-4:], "auto_payout": bool(auto_payout),
              "updated_at": now}
    account = session.execute(select(BankAccount).where(BankAccount.shop_id == shop.id)
                              ).scalar_one_or_none()
    if account is None:
        account = BankAccount(id=new_id(), shop_id=shop.id, created_at=now, **values)
        session.add(account)
    else:
        for name, value in values.items():
            setattr(account, name, value)
    session.flush()
    return account


def bank_account(session: Session, shop_id: int) -> BankAccount | None:
    return session.execute(select(BankAccount).where(BankAccount.shop_id == shop_id)
                           ).scalar_one_or_none()


def _history(session: Session, payout_id: int, before: str | None, after: str,
             reason: str = "") -> None:
    if after not in PAYOUT_TRANSITIONS[before]:
        raise AssertionError(f"a payout may not go from {before} to {after}")
    session.add(PayoutHistory(id=new_id(), payout_id=payout_id, from_status=before,
                              to_status=after, reason=reason[:500], created_at=clock.now()))


def request_payout(session: Session, shop: Shop, *, amount: Money | None, key: str,
                   trigger: str = "request") -> Payout:
    """Hold ``amount`` (default: the whole available balance) for a payout, once per key."""
    request_key = f"{shop.id}:{key}"
    found = session.execute(select(Payout).where(Payout.request_key == request_key)
                            ).scalar_one_or_none()
    if found is not None:
        return found
    account = bank_account(session, shop.id)
    if account is None:
        raise Conflict("Add a bank account before asking for a payout.",
                       code="NO_BANK_ACCOUNT")
    code = seller_available(shop.id)
    if amount is None:
        amount = ledger.available(session, code, shop.currency)
    if amount.currency != shop.currency:
        raise ValidationFailed(f"Payouts of this shop are in {shop.currency}.", field="amount")
    minimum = fees.minimum_payout(shop.market)
    if amount.minor < minimum.minor:
        raise ValidationFailed(f"The smallest payout is {minimum.minor} minor units; "
                               f"this one is {amount.minor}.", field="amount",
                               code="BELOW_MINIMUM_PAYOUT")
    payout_id = new_id()
    now = clock.now()
    try:
        with session.begin_nested():
            op = ledger.hold(session, key=f"finance:payout:{payout_id}", kind="finance.payout",
                             reference=f"payout:{payout_id}",
                             transfers=[ledger.TransferSpec(code, EXTERNAL_BANK, amount,
                                                            memo="payout",
                                                            require_funds=True)])
            payout = Payout(id=payout_id, shop_id=shop.id, bank_account_id=account.id,
                            amount_minor=amount.minor, currency=amount.currency,
                            status="PROCESSING", trigger=trigger, request_key=request_key,
                            hold_operation_id=op.id, created_at=now, updated_at=now)
            session.add(payout)
            _history(session, payout_id, None, "PROCESSING", trigger)
            session.flush()
    except IntegrityError:  # a concurrent twin with the same key committed first
        return session.execute(select(Payout).where(Payout.request_key == request_key)
                               ).scalar_one()
    return payout


def _move(session: Session, payout: Payout, before: str, after: str, reason: str,
          rail_reference: str | None = None) -> bool:
    changes: dict[str, object] = {"status": after, "updated_at": clock.now()}
    if rail_reference:
        changes["rail_reference"] = rail_reference
    if after in ("FAILED", "RETURNED"):
        changes["failure_reason"] = reason[:500]
    moved = session.execute(update(Payout).where(Payout.id == payout.id, Payout.status == before)
                            .values(**changes).returning(Payout.id)
                            .execution_options(synchronize_session=False)).first()
    if moved is None:
        return False
    _history(session, payout.id, before, after, reason)
    return True


def _instruction(session: Session, payout: Payout) -> PayoutInstruction:
    account = session.get(BankAccount, payout.bank_account_id)
    assert account is not None
    ctx = _context(payout.shop_id)
    return PayoutInstruction(payout.id, Money(payout.amount_minor, payout.currency),
                             crypto.decrypt(account.holder_name, ctx),
                             crypto.decrypt(account.account_number, ctx), account.bank_name)


def apply_result(session: Session, payout_id: int, result: RailResult) -> str:
    payout = session.get(Payout, payout_id, populate_existing=True)
    assert payout is not None
    if result.status == "FAILED" and _move(session, payout, "PROCESSING", "FAILED",
                                           result.reason, result.reference):
        assert payout.hold_operation_id is not None
        ledger.void_pending(session, payout.hold_operation_id)
    elif result.status in ("SUCCEEDED", "RETURNED") and _move(
            session, payout, "PROCESSING", "PAID", "sent", result.reference):
        assert payout.hold_operation_id is not None
        ledger.post_pending(session, payout.hold_operation_id)
    if result.status == "RETURNED" and _move(session, payout, "PAID", "RETURNED",
                                             result.reason):
        ledger.post(session, key=f"finance:payout:{payout.id}:return",
                    kind="finance.payout_return", reference=f"payout:{payout.id}",
                    transfers=[ledger.TransferSpec(
                        EXTERNAL_BANK, seller_available(payout.shop_id),
                        Money(payout.amount_minor, payout.currency), memo="payout returned")])
    session.flush()
    return session.execute(select(Payout.status).where(Payout.id == payout_id)).scalar_one()


def run_payout(db: Database, payout_id: int, rail: PayoutRail | None = None) -> str:
    """Send one PROCESSING payout on the rail (outside any transaction); its status."""
    with db.sessions() as session:
        payout = session.get(Payout, payout_id)
        if payout is None or payout.status != "PROCESSING":
            return payout.status if payout else "MISSING"
        instruction = _instruction(session, payout)
    result = (rail or get_rail()).send(instruction)
    with db.transaction() as session:
        return apply_result(session, payout_id, result)


def run_payouts(db: Database, rail: PayoutRail | None = None, limit: int = 100) -> int:
    """Send every PROCESSING payout; how many were sent."""
    with db.sessions() as session:
        ids = list(session.execute(select(Payout.id).where(Payout.status == "PROCESSING")
                                   .order_by(Payout.id).limit(limit)).scalars())
    return sum(run_payout(db, pid, rail) != "PROCESSING" for pid in ids)


def check_returns(db: Database, rail: PayoutRail | None = None, limit: int = 500) -> int:
    """Ask the rail about payouts paid within the return window; how many came back."""
    days = int(fees.payout_rules()["platform"]["return_window_days"])
    since = clock.now() - timedelta(days=days)
    with db.sessions() as session:
        rows = session.execute(select(Payout).where(Payout.status == "PAID",
                                                    Payout.updated_at >= since)
                               .order_by(Payout.id).limit(limit)).scalars().all()
        work = [(p.id, p.rail_reference or "", _instruction(session, p)) for p in rows]
    returned = 0
    for payout_id, reference, instruction in work:
        result = (rail or get_rail()).status(instruction, reference)
        if result.status == "RETURNED":
            with db.transaction() as session:
                returned += apply_result(session, payout_id, result) == "RETURNED"
    return returned


def run_scheduled(db: Database, rail: PayoutRail | None = None) -> int:
    """Pay out the available balance of every shop that opted in, once a day; how many."""
    today = clock.now().date().isoformat()
    with db.sessions() as session:
        shop_ids = list(session.execute(select(BankAccount.shop_id)
                                        .where(BankAccount.auto_payout.is_(True))
                                        .order_by(BankAccount.shop_id)).scalars())
    made = []
    for shop_id in shop_ids:
        with db.transaction() as session:
            shop = session.get(Shop, shop_id)
            if shop is None:
                continue
            key = f"schedule:{today}"
            if session.execute(select(Payout.id).where(
                    Payout.request_key == f"{shop.id}:{key}")).first() is not None:
                continue  # today's scheduled payout is made
            available = ledger.available(session, seller_available(shop.id), shop.currency)
            if available.minor < fees.minimum_payout(shop.market).minor:
                continue
            try:
                made.append(request_payout(session, shop, amount=available, key=key,
                                           trigger="schedule").id)
            except Conflict:
                continue  # the balance moved meanwhile; tomorrow's run tries again
    for payout_id in made:
        run_payout(db, payout_id, rail)
    return len(made)


def payouts_of(session: Session, shop_id: int, before: int | None = None,
               limit: int = 20) -> list[Payout]:
    query = select(Payout).where(Payout.shop_id == shop_id).order_by(Payout.id.desc())
    if before is not None:
        query = query.where(Payout.id < before)
    return list(session.execute(query.limit(limit)).scalars())
