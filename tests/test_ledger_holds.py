"""Two-phase transfers: a hold reserves money; posting or voiding it finishes it once."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from clipcart.errors import Conflict, NotFound
from clipcart.events import OutboxEvent
from clipcart.ledger import accounts as codes
from clipcart.ledger import service as ledger
from clipcart.ledger.models import LedgerTransferChange
from tests.ledger_helpers import fund, move, usd

ADVERTISER = 31
WALLET = codes.advertiser(ADVERTISER)


def _hold(session, amount: int, key: str = "ads:budget:1") -> ledger.Operation:  # type: ignore[no-untyped-def]
    return ledger.hold(session, key=key, kind="ads.spend", reference="campaign:1",
                       transfers=[move(WALLET, codes.PLATFORM_FEES, usd(amount))])


def _figures(session) -> tuple[int, int, int, int]:  # type: ignore[no-untyped-def]
    wallet = ledger.account(session, WALLET, "USD")
    fees = ledger.account(session, codes.PLATFORM_FEES, "USD")
    assert wallet is not None and fees is not None
    return (wallet.balance.minor, wallet.available.minor, fees.balance.minor,
            fees.pending_credits.minor)


def test_a_hold_reserves_the_available_amount_without_moving_the_balance(db):
    with db.transaction() as session:
        fund(session, WALLET, usd(1_000))
        op = _hold(session, 600)
        assert _figures(session) == (1_000, 400, 0, 600)
        assert ledger.check_invariants(session) == []
    assert op.status == "PENDING"
    assert [t.status for t in op.transfers] == ["PENDING"]
    assert op.finished_at is None


def test_a_second_hold_beyond_what_is_available_fails_and_reserves_nothing(db):
    with db.transaction() as session:
        fund(session, WALLET, usd(1_000))
        _hold(session, 600)
    with pytest.raises(Conflict) as failure, db.transaction() as session:
        _hold(session, 401, key="ads:budget:2")
    assert failure.value.code == "INSUFFICIENT_FUNDS"
    with db.transaction() as session:
        assert _figures(session) == (1_000, 400, 0, 600)


def test_a_posted_debit_cannot_spend_money_that_a_hold_reserved(db):
    with db.transaction() as session:
        fund(session, WALLET, usd(1_000))
        _hold(session, 600)
    with pytest.raises(Conflict) as failure, db.transaction() as session:
        ledger.post(session, key="ads:direct", kind="ads.spend", reference="campaign:1",
                    transfers=[move(WALLET, codes.PLATFORM_FEES, usd(401))])
    assert failure.value.code == "INSUFFICIENT_FUNDS"


def test_posting_a_hold_moves_the_money_and_emits_the_posted_event(db, frozen_clock):
    with db.transaction() as session:
        fund(session, WALLET, usd(1_000))
        held = _hold(session, 600)
    frozen_clock.advance(minutes=5)
    with db.transaction() as session:
        posted = ledger.post_pending(session, held.id)
        assert _figures(session) == (400, 400, 600, 0)
        assert ledger.check_invariants(session) == []
        kinds = session.execute(select(OutboxEvent.payload["kind"].as_string())).scalars().all()
    assert posted.id == held.id
    assert posted.status == "POSTED"
    assert posted.finished_at == frozen_clock.current
    assert [(t.status, t.posted_at) for t in posted.transfers] == [
        ("POSTED", frozen_clock.current)]
    assert sorted(kinds) == ["ads.spend", "test.fund"]


def test_posting_a_hold_twice_is_a_no_op_returning_the_same_result(db):
    with db.transaction() as session:
        fund(session, WALLET, usd(1_000))
        held = _hold(session, 600)
    with db.transaction() as session:
        first = ledger.post_pending(session, held.id)
    with db.transaction() as session:
        again = ledger.post_pending(session, held.id)
        assert _figures(session) == (400, 400, 600, 0)
    assert again == first


def test_voiding_a_hold_gives_the_reservation_back_once(db):
    with db.transaction() as session:
        fund(session, WALLET, usd(1_000))
        held = _hold(session, 600)
    with db.transaction() as session:
        voided = ledger.void_pending(session, held.id)
        again = ledger.void_pending(session, held.id)
        assert _figures(session) == (1_000, 1_000, 0, 0)
        assert ledger.check_invariants(session) == []
    assert voided == again
    assert voided.status == "VOIDED"
    assert voided.transfers[0].voided_at is not None
    assert voided.transfers[0].posted_at is None


def test_a_posted_hold_cannot_be_voided_and_a_voided_one_cannot_be_posted(db):
    with db.transaction() as session:
        fund(session, WALLET, usd(1_000))
        posted = _hold(session, 100, key="h:1")
        voided = _hold(session, 100, key="h:2")
        assert ledger.post_pending(session, posted.id).status == "POSTED"
        assert ledger.void_pending(session, voided.id).status == "VOIDED"
    with pytest.raises(Conflict) as first, db.transaction() as session:
        ledger.void_pending(session, posted.id)
    with pytest.raises(Conflict) as second, db.transaction() as session:
        ledger.post_pending(session, voided.id)
    assert (first.value.code, second.value.code) == ("ALREADY_POSTED", "ALREADY_VOIDED")
    with pytest.raises(NotFound), db.transaction() as session:
        ledger.post_pending(session, 12345)


def test_every_state_a_transfer_enters_is_in_its_history(db):
    with db.transaction() as session:
        fund(session, WALLET, usd(1_000))
        held = _hold(session, 100)
        ledger.post_pending(session, held.id)
        history = session.execute(
            select(LedgerTransferChange.from_status, LedgerTransferChange.to_status)
            .where(LedgerTransferChange.transfer_id == held.transfers[0].id)
            .order_by(LedgerTransferChange.id)).all()
    assert [tuple(r) for r in history] == [(None, "PENDING"), ("PENDING", "POSTED")]


def test_a_hold_into_an_account_does_not_make_that_money_spendable_yet(db):
    with db.transaction() as session:
        ledger.hold(session, key="payout:hold", kind="coins.recharge", reference="r:1",
                    transfers=[move(codes.EXTERNAL_PSP, codes.coins(8), usd(500))])
        assert ledger.available(session, codes.coins(8), "USD") == usd(0)
    with pytest.raises(Conflict), db.transaction() as session:
        ledger.post(session, key="spend", kind="coins.gift", reference="live:1",
                    transfers=[move(codes.coins(8), codes.diamonds(9), usd(1))])
