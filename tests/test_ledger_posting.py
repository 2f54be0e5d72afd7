"""Posting: money moves in balanced transfers, protected accounts never go below zero."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from clipcart.errors import Conflict, ValidationFailed
from clipcart.events import OutboxEvent
from clipcart.ledger import accounts as codes
from clipcart.ledger import service as ledger
from clipcart.ledger.models import LedgerOperation, LedgerTransfer
from clipcart.money import Money
from tests.ledger_helpers import fund, key, move, usd

SHOP = 4242
BUYER = 77
CREATOR = 91


def _count(session, model) -> int:  # type: ignore[no-untyped-def]
    return session.execute(select(func.count()).select_from(model)).scalar_one()


def test_a_payment_moves_money_from_the_provider_into_escrow(db):
    with db.transaction() as session:
        op = ledger.post(session, key="pay:1", kind="payment.captured", reference="order:1",
                         transfers=[move(codes.EXTERNAL_PSP, codes.ESCROW, usd(2490))])
    with db.transaction() as session:
        assert ledger.balance(session, codes.ESCROW, "USD") == usd(2490)
        assert ledger.balance(session, codes.EXTERNAL_PSP, "USD") == usd(-2490)
        assert ledger.check_invariants(session) == []
    assert op.status == "POSTED"
    assert op.kind == "payment.captured"
    assert op.reference == "order:1"
    assert [(t.debit, t.credit, t.amount, t.status) for t in op.transfers] == [
        ("external:psp", "escrow", usd(2490), "POSTED")]


def test_what_post_and_hold_return_is_what_the_ledger_stored(db):
    with db.transaction() as session:
        fund(session, codes.ESCROW, usd(900))
        posted = ledger.post(session, key="split:1", kind="settlement", reference="order:9",
                             transfers=[move(codes.ESCROW, codes.PLATFORM_FEES, usd(100), "fee"),
                                        move(codes.ESCROW, codes.seller_available(SHOP),
                                             usd(800), "sale")])
        held = ledger.hold(session, key="hold:1", kind="payout", reference="payout:9",
                           transfers=[move(codes.seller_available(SHOP), codes.EXTERNAL_PSP,
                                           usd(300))])
    with db.transaction() as session:
        assert ledger.get_operation(session, posted.id) == posted
        assert ledger.get_operation(session, held.id) == held
        again = ledger.post(session, key="split:1", kind="settlement", reference="order:9",
                            transfers=[move(codes.ESCROW, codes.PLATFORM_FEES, usd(100), "fee"),
                                       move(codes.ESCROW, codes.seller_available(SHOP),
                                            usd(800), "sale")])
        assert again == posted


def test_settlement_splits_escrow_between_seller_platform_and_creator_without_losing_a_unit(db):
    with db.transaction() as session:
        fund(session, codes.ESCROW, usd(10_001))
        fee, commission = usd(10_001).multiply("0.05", "ROUND_HALF_EVEN"), usd(1_000)
        seller = usd(10_001) - fee - commission
        ledger.post(session, key="settle:1", kind="settlement", reference="order:1", transfers=[
            move(codes.ESCROW, codes.seller_available(SHOP), seller, "sale"),
            move(codes.ESCROW, codes.PLATFORM_FEES, fee, "referral fee"),
            move(codes.ESCROW, codes.creator_available(CREATOR), commission, "commission"),
        ])
    with db.transaction() as session:
        assert ledger.balance(session, codes.ESCROW, "USD") == usd(0)
        assert ledger.balance(session, codes.seller_available(SHOP), "USD") == usd(8_501)
        assert ledger.balance(session, codes.PLATFORM_FEES, "USD") == usd(500)
        assert ledger.balance(session, codes.creator_available(CREATOR), "USD") == usd(1_000)
        assert ledger.check_invariants(session) == []


def test_an_overdraw_of_escrow_fails_cleanly_and_posts_none_of_the_operation(db):
    with db.transaction() as session:
        fund(session, codes.ESCROW, usd(500))
    with pytest.raises(Conflict) as failure, db.transaction() as session:
        ledger.post(session, key="settle:2", kind="settlement", reference="order:2", transfers=[
            move(codes.ESCROW, codes.PLATFORM_FEES, usd(100)),
            move(codes.ESCROW, codes.seller_available(SHOP), usd(401)),
        ])
    assert failure.value.code == "INSUFFICIENT_FUNDS"
    assert failure.value.extra == {"account": "escrow", "currency": "USD"}
    with db.transaction() as session:
        assert ledger.balance(session, codes.ESCROW, "USD") == usd(500)
        assert ledger.balance(session, codes.PLATFORM_FEES, "USD") == usd(0)
        assert ledger.find_operation(session, "settle:2") is None
        assert ledger.check_invariants(session) == []


def test_a_caller_that_catches_insufficient_funds_keeps_its_transaction_and_nothing_leaks(db):
    with db.transaction() as session:
        fund(session, codes.coins(BUYER), usd(100))
        with pytest.raises(Conflict):
            ledger.post(session, key="gift:1", kind="coins.gift", reference="live:1", transfers=[
                move(codes.coins(BUYER), codes.diamonds(CREATOR), usd(60)),
                move(codes.coins(BUYER), codes.diamonds(CREATOR), usd(60)),
            ])
        ledger.post(session, key="gift:2", kind="coins.gift", reference="live:1",
                    transfers=[move(codes.coins(BUYER), codes.diamonds(CREATOR), usd(60))])
    with db.transaction() as session:
        assert ledger.balance(session, codes.coins(BUYER), "USD") == usd(40)
        assert ledger.balance(session, codes.diamonds(CREATOR), "USD") == usd(60)
        assert _count(session, LedgerOperation) == 2
        assert _count(session, LedgerTransfer) == 2
        assert ledger.check_invariants(session) == []


def test_a_claw_back_may_take_a_seller_below_zero_but_a_payout_may_not(db):
    seller = codes.seller_available(SHOP)
    with db.transaction() as session:
        fund(session, seller, usd(300))
        ledger.post(session, key="refund:1", kind="refund.clawback", reference="order:3",
                    transfers=[move(seller, codes.EXTERNAL_PSP, usd(500))])
        assert ledger.balance(session, seller, "USD") == usd(-200)
    with pytest.raises(Conflict) as failure, db.transaction() as session:
        ledger.post(session, key="payout:1", kind="payout", reference="payout:1",
                    transfers=[move(seller, codes.EXTERNAL_BANK, usd(1), require_funds=True)])
    assert failure.value.code == "INSUFFICIENT_FUNDS"
    with db.transaction() as session:
        assert ledger.available(session, seller, "USD") == usd(-200)
        assert ledger.check_invariants(session) == []


def test_money_received_and_spent_in_one_operation_nets_out(db):
    with db.transaction() as session:
        ledger.post(session, key="recharge-and-gift", kind="coins.gift", reference="live:2",
                    transfers=[move(codes.EXTERNAL_PSP, codes.coins(BUYER), usd(99)),
                               move(codes.coins(BUYER), codes.diamonds(CREATOR), usd(99))])
        assert ledger.balance(session, codes.coins(BUYER), "USD") == usd(0)
        assert ledger.balance(session, codes.diamonds(CREATOR), "USD") == usd(99)


def test_each_currency_balances_on_its_own(db):
    with db.transaction() as session:
        ledger.post(session, key="multi", kind="payment.captured", reference="order:4",
                    transfers=[move(codes.EXTERNAL_PSP, codes.ESCROW, usd(1_000)),
                               move(codes.EXTERNAL_PSP, codes.ESCROW, Money(250_000, "VND"))])
        assert ledger.balance(session, codes.ESCROW, "VND") == Money(250_000, "VND")
        assert ledger.balance(session, codes.ESCROW, "USD") == usd(1_000)
        assert ledger.balance(session, codes.EXTERNAL_PSP, "VND") == Money(-250_000, "VND")
        assert [(c, n, total) for c, n, total in ledger.currency_totals(session)] == [
            ("USD", 2, usd(0)), ("VND", 2, Money(0, "VND"))]


def test_a_posted_operation_emits_one_event_that_is_dispatched_after_the_outer_commit(db):
    with db.transaction() as session:
        op = fund(session, codes.ESCROW, usd(10), reference="order:5")
    with db.transaction() as session:
        found = session.execute(select(OutboxEvent.type, OutboxEvent.payload,
                                       OutboxEvent.dispatched_at)).all()
    assert [(t, p) for t, p, _ in found] == [
        ("ledger.operation_posted", {"operation_id": str(op.id), "kind": "test.fund",
                                     "reference": "order:5"})]
    # The savepoint's release must not kick the drain early (it would see nothing, or wait
    # on SQLite's write lock); the outer commit does, and the drain runs inline in tests.
    assert found[0].dispatched_at is not None


def test_accounts_are_created_on_first_use_with_the_flag_of_their_family(db):
    with db.transaction() as session:
        fund(session, codes.advertiser(5), usd(1))
        fund(session, codes.creator_pending(6), usd(1))
        psp = ledger.account(session, codes.EXTERNAL_PSP, "USD")
        adv = ledger.account(session, codes.advertiser(5), "USD")
        creator = ledger.account(session, codes.creator_pending(6), "USD")
        assert ledger.account(session, codes.coins(5), "USD") is None
        assert ledger.balance(session, codes.coins(5), "USD") == usd(0)
    assert psp is not None and psp.may_go_negative is True
    assert adv is not None and adv.may_go_negative is False
    assert creator is not None and creator.may_go_negative is True


@pytest.mark.parametrize(("transfers", "field"), [
    ([], "transfers"),
    ([move("escrow", "escrow", usd(1))], "transfers"),
    ([move("escrow", "wallet:1", usd(1))], "account"),
    ([move("seller:0:available", "escrow", usd(1))], "account"),
    ([move("escrow", codes.PLATFORM_FEES, usd(0))], "amount"),
    ([move("escrow", codes.PLATFORM_FEES, usd(-5))], "amount"),
    ([move("escrow", codes.PLATFORM_FEES, usd(5), memo="m" * 201)], "memo"),
    ([move("escrow", codes.PLATFORM_FEES, usd(5), memo="nul\x00")], "memo"),
])
def test_bad_transfers_are_refused_before_anything_is_written(db, transfers, field):
    with pytest.raises(ValidationFailed) as failure, db.transaction() as session:
        ledger.post(session, key="bad", kind="test", reference="r:1", transfers=transfers)
    assert failure.value.field == field
    with db.transaction() as session:
        assert _count(session, LedgerOperation) == 0


@pytest.mark.parametrize(("overrides", "field"), [
    ({"key": ""}, "key"), ({"key": "k" * 201}, "key"), ({"kind": "Has Spaces"}, "kind"),
    ({"reference": ""}, "reference"), ({"reference": "order:\x00"}, "reference"),
])
def test_an_operation_needs_a_key_a_kind_and_a_reference(db, overrides, field):
    args = {"key": key(), "kind": "test", "reference": "r:1",
            "transfers": [move(codes.EXTERNAL_PSP, codes.ESCROW, usd(1))], **overrides}
    with pytest.raises(ValidationFailed) as failure, db.transaction() as session:
        ledger.post(session, **args)
    assert failure.value.field == field


def test_reading_an_unknown_account_code_is_a_validation_error(db):
    with pytest.raises(ValidationFailed) as failure, db.transaction() as session:
        ledger.balance(session, "wallet:1", "USD")
    assert failure.value.code == "UNKNOWN_ACCOUNT"
