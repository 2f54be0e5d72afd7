"""Finance through the Seller API: statements a page at a time, a statement's and an order's
transactions, payments and withdrawals; bad input answers its code; tenancy holds."""

from __future__ import annotations

from typing import Any

import pytest
from tiktok_shop_api.generated.models import (
    GetPaymentsResponse,
    GetSellerFinancialTransactionsResponse,
    GetStatementsResponse,
    GetTransactionsByOrderResponse,
    GetTransactionsByStatementResponse,
)

from clipcart.finance import payouts, statements
from clipcart.finance import service as finance
from clipcart.ledger.accounts import seller_available
from clipcart.money import Money
from clipcart.orders.models import Order
from clipcart.shops.models import Shop
from tests.catalog_support import make_seller
from tests.checkout_support import buyer, listing
from tests.finance_support import deliver, paid_order
from tests.ledger_helpers import fund
from tests.openplatform_support import make_grant, signed_call, unknown_fields
from tests.payments_helpers import psp  # noqa: F401

pytestmark = pytest.mark.usefixtures("psp")
FIN = "/finance/202309"


def _settled_days(client: Any, db: Any, clock: Any) -> tuple[Any, list[int]]:
    """Two orders of one shop, settled a day apart; statements closed for both days."""
    item = listing(client, price="11.00", stock=10)
    ids = []
    for _ in range(2):
        bought = paid_order(client, buyer(client), item)
        deliver(db, clock, bought.order_id)
        ids.append(bought.order_id)
        clock.advance(days=8)
        assert finance.settle_due(db) == 1
    clock.advance(days=1)
    with db.transaction() as session:
        assert statements.close_days(session) == 2
    return make_grant(item.seller.shop_id), ids


def _statements(client: Any, grant: Any, *params: tuple[str, str]) -> dict[str, Any]:
    return signed_call(client, grant, "GET", f"{FIN}/statements",
                       params=[("sort_field", "statement_time"), *params])


def test_statements_page_newest_first_and_filter(client, db, frozen_clock) -> None:  # type: ignore[no-untyped-def]
    grant, _ids = _settled_days(client, db, frozen_clock)
    first = _statements(client, grant, ("page_size", "1"))
    assert unknown_fields(GetStatementsResponse.from_dict(first)) == []
    assert GetStatementsResponse.from_dict(first).data.statements[0].id == \
        first["data"]["statements"][0]["id"]
    second = _statements(client, grant, ("page_size", "1"),
                         ("page_token", first["data"]["next_page_token"]))
    rows = first["data"]["statements"] + second["data"]["statements"]
    assert second["data"]["next_page_token"] == ""
    assert rows[0]["statement_time"] > rows[1]["statement_time"]
    ascending = _statements(client, grant, ("sort_order", "ASC"))["data"]["statements"]
    assert [r["id"] for r in ascending] == [r["id"] for r in rows[::-1]]
    assert [(r["payment_status"], r["currency"]) for r in rows] == [("PROCESSING", "GBP")] * 2
    for row in rows:
        assert float(row["revenue_amount"]) + float(row["fee_amount"]) + float(
            row["adjustment_amount"]) == pytest.approx(float(row["settlement_amount"]))
    later = _statements(client, grant, ("statement_time_ge", str(rows[0]["statement_time"])))
    assert [r["id"] for r in later["data"]["statements"]] == [rows[0]["id"]]
    assert _statements(client, grant, ("payment_status", "PAID"))["data"]["statements"] == []
    for bad in (("sort_order", "UP"), ("payment_status", "LOST"), ("page_token", "zz"),
                ("page_size", "500")):
        assert _statements(client, grant, bad)["code"] == 36009004, bad
    wrong_field = signed_call(client, grant, "GET", f"{FIN}/statements",
                              params=[("sort_field", "amount")])
    assert wrong_field["code"] == 36009004


def test_a_statements_and_an_orders_transactions_agree(client, db, frozen_clock) -> None:  # type: ignore[no-untyped-def]
    grant, ids = _settled_days(client, db, frozen_clock)
    rows = _statements(client, grant, ("sort_order", "ASC"))["data"]["statements"]
    for statement, order_id in zip(rows, ids, strict=True):
        answer = signed_call(client, grant, "GET",
                             f"{FIN}/statements/{statement['id']}/statement_transactions",
                             params=[("page_size", "10")])
        moves = GetTransactionsByStatementResponse.from_dict(answer).data
        assert unknown_fields(moves) == []
        assert [(t.type_, t.order_id) for t in moves.transactions] == [("ORDER", str(order_id))]
        assert moves.total_settlement_amount == statement["settlement_amount"]
        order = signed_call(client, grant, "GET",
                            f"{FIN}/orders/{order_id}/statement_transactions")
        money = GetTransactionsByOrderResponse.from_dict(order).data
        assert unknown_fields(money) == []
        assert (money.settlement_amount, money.sku_transactions[0].statement_id,
                money.sku_transactions[0].quantity) == (
            moves.transactions[0].settlement_amount, statement["id"], "1")
        with db.sessions() as session:
            paid = session.get(Order, order_id)
            assert paid is not None
        assert money.revenue_amount == Money(paid.total_minor, "GBP").amount_str()


def test_an_unsettled_order_has_no_transactions_yet(client, db, frozen_clock) -> None:  # type: ignore[no-untyped-def]
    item = listing(client, price="11.00", stock=10)
    bought = paid_order(client, buyer(client), item)
    deliver(db, frozen_clock, bought.order_id)
    grant = make_grant(item.seller.shop_id)
    data = signed_call(client, grant, "GET",
                       f"{FIN}/orders/{bought.order_id}/statement_transactions")["data"]
    assert (data["settlement_amount"], data["sku_transactions"]) == ("0.00", [])
    bad = signed_call(client, grant, "GET", f"{FIN}/orders/nope/statement_transactions")
    assert bad["code"] == 36009004


def test_another_shops_statements_and_orders_are_not_found(client, db, frozen_clock) -> None:  # type: ignore[no-untyped-def]
    grant, ids = _settled_days(client, db, frozen_clock)
    statement_id = _statements(client, grant)["data"]["statements"][0]["id"]
    other = make_grant(make_seller(client, market="GB", name="Other Studio").shop_id)
    assert _statements(client, other)["data"]["statements"] == []
    moves = signed_call(client, other, "GET",
                        f"{FIN}/statements/{statement_id}/statement_transactions")
    assert moves["code"] == 36009008
    order = signed_call(client, other, "GET", f"{FIN}/orders/{ids[0]}/statement_transactions")
    assert order["code"] == 36009008
    stolen = _statements(client, other, ("page_token", _statements(
        client, grant, ("page_size", "1"))["data"]["next_page_token"]))
    assert stolen["code"] == 36009004


def test_payouts_are_payments_and_withdrawals(client, db) -> None:  # type: ignore[no-untyped-def]
    seller = make_seller(client, market="GB", name="Payout Studio")
    with db.transaction() as session:
        shop = session.get(Shop, seller.shop_id)
        assert shop is not None
        fund(session, seller_available(seller.shop_id), Money(5000, "GBP"))
        payouts.save_bank_account(session, shop, holder_name="Ada Lovelace",
                                  account_number="12345678", bank_name="Analytical Bank",
                                  auto_payout=False)
        payout = payouts.request_payout(session, shop, amount=Money(3000, "GBP"), key="k1")
        payout_id = payout.id
    assert payouts.run_payout(db, payout_id) == "PAID"
    grant = make_grant(seller.shop_id)
    answer = signed_call(client, grant, "GET", f"{FIN}/payments",
                         params=[("sort_field", "create_time")])
    [payment] = GetPaymentsResponse.from_dict(answer).data.payments
    assert unknown_fields(GetPaymentsResponse.from_dict(answer)) == []
    assert (payment.id, payment.status, payment.amount.value, payment.amount.currency,
            payment.bank_account) == (str(payout_id), "PAID", "30.00", "GBP", "****5678")
    drawn = signed_call(client, grant, "GET", f"{FIN}/withdrawals",
                        params=[("types", "WITHDRAW")])
    [withdrawal] = GetSellerFinancialTransactionsResponse.from_dict(drawn).data.withdrawals
    assert unknown_fields(GetSellerFinancialTransactionsResponse.from_dict(drawn)) == []
    assert (withdrawal.type_, withdrawal.status, withdrawal.amount) == (
        "WITHDRAW", "SUCCESS", "30.00")
    settles = signed_call(client, grant, "GET", f"{FIN}/withdrawals",
                          params=[("types", "SETTLE")])
    assert settles["data"]["withdrawals"] == []
    assert signed_call(client, grant, "GET", f"{FIN}/withdrawals",
                       params=[("types", "GIFT")])["code"] == 36009004
    assert signed_call(client, grant, "GET", f"{FIN}/payments",
                       params=[("sort_field", "amount")])["code"] == 36009004
    other = make_grant(make_seller(client, market="GB", name="Other Studio").shop_id)
    assert signed_call(client, other, "GET", f"{FIN}/payments",
                       params=[("sort_field", "create_time")])["data"]["payments"] == []
