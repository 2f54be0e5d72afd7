"""Reading the books: statements, account lists and an operation's transfers."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from clipcart.errors import ValidationFailed
from clipcart.ledger import accounts as codes
from clipcart.ledger import service as ledger
from clipcart.money import Money
from tests.ledger_helpers import fund, move, usd

SHOP = 7
SELLER = codes.seller_available(SHOP)


def _seed_statement(db) -> None:  # type: ignore[no-untyped-def]
    with db.transaction() as session:
        for n in range(1, 6):
            ledger.post(session, key=f"s:{n}", kind="settlement", reference=f"order:{n}",
                        transfers=[move(codes.EXTERNAL_PSP, SELLER, usd(n * 100),
                                        f"order {n}")])
        ledger.post(session, key="payout:1", kind="payout", reference="payout:1",
                    transfers=[move(SELLER, codes.EXTERNAL_BANK, usd(250), "to bank")])


def test_a_statement_lists_money_in_and_out_newest_first_a_page_at_a_time(db):
    _seed_statement(db)
    with db.transaction() as session:
        first = ledger.statement(session, SELLER, "USD", page_size=4)
        second = ledger.statement(session, SELLER, "USD", page_token=first.next_page_token,
                                  page_size=4)
    assert first.account is not None and first.account.balance == usd(1_250)
    assert [(line.reference, line.amount, line.counterparty) for line in first.lines] == [
        ("payout:1", usd(-250), "external:bank"), ("order:5", usd(500), "external:psp"),
        ("order:4", usd(400), "external:psp"), ("order:3", usd(300), "external:psp")]
    assert [(line.reference, line.memo) for line in second.lines] == [
        ("order:2", "order 2"), ("order:1", "order 1")]
    assert second.next_page_token is None


def test_a_statement_page_costs_the_same_number_of_queries_however_long_it_is(db):
    _seed_statement(db)
    counts = []
    for size in (1, 6):
        seen: list[str] = []

        def count(*args, seen=seen):  # type: ignore[no-untyped-def]
            seen.append(args[2])

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            with db.transaction() as session:
                ledger.statement(session, SELLER, "USD", page_size=size)
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        counts.append(len([s for s in seen if s.lstrip().upper().startswith("SELECT")]))
    assert counts == [3, 3]


def test_a_statement_of_an_unused_account_is_empty(db):
    with db.transaction() as session:
        page = ledger.statement(session, codes.seller_available(99), "USD")
    assert (page.account, page.lines, page.next_page_token) == (None, [], None)


@pytest.mark.parametrize("token", ["garbage", "WyJ4Il0", "!!!"])
def test_a_forged_page_token_is_a_validation_error(db, token):
    with pytest.raises(ValidationFailed) as failure, db.transaction() as session:
        ledger.statement(session, SELLER, "USD", page_token=token)
    assert failure.value.field == "page_token"


@pytest.mark.parametrize("size", [0, 101])
def test_page_sizes_stay_between_one_and_a_hundred(db, size):
    with pytest.raises(ValidationFailed) as failure, db.transaction() as session:
        ledger.list_accounts(session, page_size=size)
    assert failure.value.field == "page_size"


def test_accounts_are_listed_by_code_filtered_by_prefix_and_currency(db):
    with db.transaction() as session:
        for shop in (1, 2, 3):
            fund(session, codes.seller_available(shop), usd(shop))
        fund(session, codes.seller_available(1), Money(5_000, "VND"))
        fund(session, codes.coins(1), usd(9))
    with db.transaction() as session:
        first = ledger.list_accounts(session, prefix="seller:", page_size=2)
        rest = ledger.list_accounts(session, prefix="seller:", page_token=first.next_page_token,
                                    page_size=2)
        dong = ledger.list_accounts(session, currency="VND")
        everything = ledger.list_accounts(session)
    assert [(a.code, a.currency) for a in first.accounts + rest.accounts] == [
        ("seller:1:available", "USD"), ("seller:1:available", "VND"),
        ("seller:2:available", "USD"), ("seller:3:available", "USD")]
    assert rest.next_page_token is None
    assert [(a.code, a.balance) for a in dong.accounts] == [
        ("external:psp", Money(-5_000, "VND")), ("seller:1:available", Money(5_000, "VND"))]
    assert [(a.code, a.currency) for a in everything.accounts][:3] == [
        ("coins:1", "USD"), ("external:psp", "USD"), ("external:psp", "VND")]
    assert len(everything.accounts) == 7


def test_a_prefix_with_wildcard_characters_matches_them_literally(db):
    with db.transaction() as session:
        fund(session, codes.PLATFORM_FEES, usd(1))
        fund(session, codes.PLATFORM_TAX, usd(1))
        assert ledger.list_accounts(session, prefix="platform:_").accounts == []
        assert ledger.list_accounts(session, prefix="platform:%").accounts == []
        assert len(ledger.list_accounts(session, prefix="platform:").accounts) == 2


def test_transfers_for_a_reference_span_its_operations_in_order(db):
    with db.transaction() as session:
        ledger.post(session, key="cap:1", kind="payment.captured", reference="order:1",
                    transfers=[move(codes.EXTERNAL_PSP, codes.ESCROW, usd(1_000))])
        ledger.post(session, key="other", kind="payment.captured", reference="order:2",
                    transfers=[move(codes.EXTERNAL_PSP, codes.ESCROW, usd(5))])
        ledger.post(session, key="refund:1", kind="refund", reference="order:1",
                    transfers=[move(codes.ESCROW, codes.EXTERNAL_PSP, usd(300), "partial"),
                               move(codes.ESCROW, codes.PLATFORM_FEES, usd(10), "fee")])
        lines = ledger.transfers_for(session, "order:1")
        ops = ledger.operations_for(session, "order:1")
    assert [(t.debit, t.credit, t.amount.minor, t.memo) for t in lines] == [
        ("external:psp", "escrow", 1_000, ""), ("escrow", "external:psp", 300, "partial"),
        ("escrow", "platform:fees", 10, "fee")]
    assert [op.kind for op in ops] == ["payment.captured", "refund"]
