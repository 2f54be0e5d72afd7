"""Idempotency keys: a retry returns the first operation; a different one is refused."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from clipcart.errors import Conflict
from clipcart.ledger import accounts as codes
from clipcart.ledger import service as ledger
from clipcart.ledger.models import LedgerOperation
from tests.ledger_helpers import fund, move, usd

PAYMENT = [move(codes.EXTERNAL_PSP, codes.ESCROW, usd(1_999))]


def _post(session, key: str = "checkout:9:capture", transfers=PAYMENT, reference="order:9"):  # type: ignore[no-untyped-def]
    return ledger.post(session, key=key, kind="payment.captured", reference=reference,
                       transfers=transfers)


def test_a_retry_with_the_same_key_returns_the_first_operation_and_moves_nothing(db):
    with db.transaction() as session:
        first = _post(session)
    with db.transaction() as session:
        again = _post(session)
        assert ledger.balance(session, codes.ESCROW, "USD") == usd(1_999)
        assert session.execute(select(func.count()).select_from(LedgerOperation)).scalar() == 1
    assert again == first


def test_the_same_key_with_other_transfers_is_an_idempotency_mismatch(db):
    with db.transaction() as session:
        _post(session)
    for changed in ([move(codes.EXTERNAL_PSP, codes.ESCROW, usd(2_000))],
                    [move(codes.EXTERNAL_PSP, codes.PLATFORM_FEES, usd(1_999))]):
        with pytest.raises(Conflict) as failure, db.transaction() as session:
            _post(session, transfers=changed)
        assert failure.value.code == "IDEMPOTENCY_MISMATCH"
    with pytest.raises(Conflict) as other_ref, db.transaction() as session:
        _post(session, reference="order:10")
    assert other_ref.value.code == "IDEMPOTENCY_MISMATCH"
    with db.transaction() as session:
        assert ledger.balance(session, codes.ESCROW, "USD") == usd(1_999)
        assert ledger.balance(session, codes.PLATFORM_FEES, "USD") == usd(0)


def test_a_key_used_for_a_hold_cannot_be_reused_to_post(db):
    with db.transaction() as session:
        ledger.hold(session, key="checkout:9:capture", kind="payment.captured",
                    reference="order:9", transfers=PAYMENT)
    with pytest.raises(Conflict) as failure, db.transaction() as session:
        _post(session)
    assert failure.value.code == "IDEMPOTENCY_MISMATCH"


def test_a_failed_post_does_not_use_up_its_key(db):
    spend = [move(codes.coins(3), codes.diamonds(4), usd(50))]
    with pytest.raises(Conflict), db.transaction() as session:
        _post(session, key="gift:1", transfers=spend)
    with db.transaction() as session:
        fund(session, codes.coins(3), usd(50))
        op = _post(session, key="gift:1", transfers=spend)
        assert ledger.find_operation(session, "gift:1") == op
        assert ledger.balance(session, codes.diamonds(4), "USD") == usd(50)


def test_a_retry_inside_the_same_transaction_is_also_answered_from_the_first(db):
    with db.transaction() as session:
        first = _post(session)
        second = _post(session)
        assert ledger.balance(session, codes.ESCROW, "USD") == usd(1_999)
    assert first == second
