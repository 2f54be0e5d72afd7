"""Daily statements: every movement of the seller's balance on its market's calendar day,
with totals equal to the ledger to the minor unit; CSV; the API and the pages."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest

from clipcart.finance import payouts, service, statements
from clipcart.finance.models import Statement
from clipcart.ledger.accounts import seller_available
from clipcart.money import Money
from clipcart.shops.models import Shop
from tests.catalog_support import log_in
from tests.checkout_support import balance, buyer, listing
from tests.finance_support import deliver, paid_order, refund
from tests.helpers import PASSWORD, bearer
from tests.ledger_helpers import fund
from tests.payments_helpers import psp  # noqa: F401

pytestmark = pytest.mark.usefixtures("psp")


def _fresh(client, email: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """A bearer token issued at the (moved) clock's time."""
    answer = client.post("/api/v1/auth/token", json={"email": email, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    return bearer(answer.json()["access_token"])


def _day_of_money(client, db, frozen_clock):  # type: ignore[no-untyped-def]
    """A GB order settled, partly refunded after settlement and paid out on 8 July (London),
    and a second payout at 00:30 London time on 9 July (still 8 July in UTC)."""
    frozen_clock.current = datetime(2026, 7, 1, 8, 0, tzinfo=UTC)
    item = listing(client, price="10.00", list_price=None)
    bought = paid_order(client, buyer(client), item)
    deliver(db, frozen_clock, bought.order_id)
    frozen_clock.advance(days=7)
    assert service.settle_due(db) == 1
    frozen_clock.advance(minutes=5)
    refund(db, bought, 500)
    with db.transaction() as session:
        shop = session.get(Shop, bought.shop_id)
        payouts.save_bank_account(session, shop, holder_name="Ada Lovelace",
                                  account_number="12345678", bank_name="Bank",
                                  auto_payout=False)
        first = payouts.request_payout(session, shop, amount=Money(500, "GBP"), key="a").id
    payouts.run_payout(db, first)
    frozen_clock.current = datetime(2026, 7, 8, 23, 30, tzinfo=UTC)
    with db.transaction() as session:
        shop = session.get(Shop, bought.shop_id)
        second = payouts.request_payout(session, shop, amount=Money(200, "GBP"), key="b").id
    payouts.run_payout(db, second)
    return item.seller, bought


def test_statements_follow_the_market_day_and_equal_the_ledger(client, db, frozen_clock):
    seller, bought = _day_of_money(client, db, frozen_clock)
    frozen_clock.current = datetime(2026, 7, 9, 22, 0, tzinfo=UTC)  # 9 July still open
    with db.transaction() as session:
        assert statements.close_days(session) == 1
    frozen_clock.current = datetime(2026, 7, 10, 0, 0, tzinfo=UTC)  # 01:00 on 10 July
    with db.transaction() as session:
        assert statements.close_days(session) == 1
        assert statements.close_days(session) == 0
        rows = statements.statements_of(session, bought.shop_id)
    assert [r.statement_date for r in rows] == [date(2026, 7, 9), date(2026, 7, 8)]
    july9, july8 = rows
    # 8 July: revenue 12.99, fee -0.75; refund of 5.00 (fee share 0.29 back from the
    # platform, 4.71 from the seller); payout -5.00
    assert (july8.opening_minor, july8.revenue_minor, july8.fee_minor, july8.refund_minor,
            july8.payout_minor, july8.settlement_minor, july8.closing_minor) == (
        0, 1299, -75 + 29, -500, -500, 1224 - 471 - 500, 253)
    assert july8.transaction_count == 3
    assert (july9.opening_minor, july9.payout_minor, july9.closing_minor) == (253, -200, 53)
    assert july9.closing_minor == balance(db, seller_available(bought.shop_id))
    # the API lists and details them
    base = f"/api/v1/seller/shops/{bought.shop_id}/finance"
    auth = _fresh(client, seller.email)
    listed = client.get(f"{base}/statements", headers=auth).json()
    assert [s["settlement_amount"]["amount"] for s in listed["statements"]] == ["-2.00",
                                                                               "2.53"]
    # 8 July closed at 2.53 and 2.00 left on 9 July: not yet paid out; 9 July's 0.53 neither
    assert [s["payment_status"] for s in listed["statements"]] == ["NOT_PAID", "NOT_PAID"]
    first = client.get(f"{base}/statements?page_size=1", headers=auth).json()
    assert [s["statement_date"] for s in first["statements"]] == ["2026-07-09"]
    second = client.get(f"{base}/statements?page_size=1&page_token={first['next_page_token']}",
                        headers=auth).json()
    assert [s["statement_date"] for s in second["statements"]] == ["2026-07-08"]
    assert second["next_page_token"] is None
    bad = client.get(f"{base}/statements?page_token=nope", headers=auth)
    assert bad.status_code == 400
    detail = client.get(f"{base}/statements/{july8.id}", headers=auth).json()
    assert [(t["type"], t["settlement_amount"]["amount"]) for t in detail["transactions"]] == [
        ("ORDER", "12.24"), ("REFUND", "-4.71"), ("PAYOUT", "-5.00")]
    # an adjustment of 1.00 today, then a payout of 1.00: 3.00 left after 8 July (>= 2.53)
    # and 1.00 after 9 July (>= 0.53)
    with db.transaction() as session:
        fund(session, seller_available(bought.shop_id), Money(100, "GBP"))
        shop = session.get(Shop, bought.shop_id)
        last = payouts.request_payout(session, shop, amount=Money(100, "GBP"), key="c").id
    payouts.run_payout(db, last)
    again = client.get(f"{base}/statements", headers=auth).json()["statements"]
    assert [s["payment_status"] for s in again] == ["PAID", "PAID"]
    order_tx = detail["transactions"][0]
    assert (order_tx["order_id"], order_tx["revenue_amount"]["amount"],
            order_tx["fee_amount"]["amount"]) == (str(bought.order_id), "12.99", "-0.75")


def test_a_statement_exports_as_csv_with_totals_matching_the_ledger(client, db, frozen_clock):
    seller, bought = _day_of_money(client, db, frozen_clock)
    frozen_clock.current = datetime(2026, 7, 10, 0, 0, tzinfo=UTC)
    with db.transaction() as session:
        statements.close_days(session)
        july8 = statements.statements_of(session, bought.shop_id)[-1]
    log_in(client, seller.email)
    page = client.get(f"/seller/{bought.shop_id}/finance/statements/{july8.id}")
    assert page.status_code == 200 and "Statement 2026-07-08" in page.text
    answer = client.get(f"/seller/{bought.shop_id}/finance/statements/{july8.id}.csv")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert [r["type"] for r in rows] == ["ORDER", "REFUND", "PAYOUT", "TOTAL"]
    assert [r["settlement_amount"] for r in rows] == ["12.24", "-4.71", "-5.00", "2.53"]
    assert rows[-1]["fee_amount"] == "-0.46"


def test_nobody_else_reads_a_shops_statements(client, db, frozen_clock):
    seller, bought = _day_of_money(client, db, frozen_clock)
    frozen_clock.current = datetime(2026, 7, 10, 0, 0, tzinfo=UTC)
    with db.transaction() as session:
        statements.close_days(session)
        statement_id = session.query(Statement.id).first()[0]  # type: ignore[index]
    other = buyer(client)  # signed up now: a token valid at the frozen time
    answer = client.get(f"/api/v1/seller/shops/{bought.shop_id}/finance/statements/"
                        f"{statement_id}", headers=other.headers)
    assert answer.status_code == 404
    missing = client.get(f"/api/v1/seller/shops/{bought.shop_id}/finance/statements/nope",
                         headers=_fresh(client, seller.email))
    assert missing.status_code == 404
