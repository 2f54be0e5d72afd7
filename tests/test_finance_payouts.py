"""Payouts: bank accounts stored encrypted, payouts over the simulated rail (paid, refused,
returned), the minimum, the available balance as a hard limit, Idempotency-Key, schedule."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from clipcart.errors import Conflict, ValidationFailed
from clipcart.finance import payouts
from clipcart.finance.models import BankAccount, Payout, PayoutHistory
from clipcart.finance.rail import FAILING_ACCOUNT, RETURNED_ACCOUNT
from clipcart.ledger.accounts import seller_available
from clipcart.money import Money
from clipcart.shops.models import Shop
from tests.catalog_support import make_seller
from tests.checkout_support import balance, invariants
from tests.helpers import bearer
from tests.ledger_helpers import fund


def _funded_shop(client, db, minor: int = 5000, number: str = "12345678",
                 auto: bool = False):  # type: ignore[no-untyped-def]
    seller = make_seller(client, market="GB", name="Payout Studio")
    with db.transaction() as session:
        shop = session.get(Shop, seller.shop_id)
        fund(session, seller_available(seller.shop_id), Money(minor, "GBP"))
        payouts.save_bank_account(session, shop, holder_name="Ada Lovelace",
                                  account_number=number, bank_name="Analytical Bank",
                                  auto_payout=auto)
    return seller


def _ask(client, seller, amount: str | None, key: str = "k1"):  # type: ignore[no-untyped-def]
    body = {} if amount is None else {"amount": amount}
    return client.post(f"/api/v1/seller/shops/{seller.shop_id}/finance/payouts", json=body,
                       headers={**bearer(seller.token), "Idempotency-Key": key})


def _payout(db, payout_id: str) -> Payout:  # type: ignore[no-untyped-def]
    with db.sessions() as session:
        row = session.get(Payout, int(payout_id))
        assert row is not None
        session.expunge(row)
        return row


def test_the_bank_account_is_stored_encrypted_and_shown_by_its_last_digits(client, db):
    seller = _funded_shop(client, db, number="GB29 NWBK 6016 1331 9268 19")
    with db.sessions() as session:
        row = session.execute(select(BankAccount).where(BankAccount.shop_id == seller.shop_id)
                              ).scalar_one()
        assert row.last4 == "6819"
        assert "NWBK" not in row.account_number and "Ada" not in row.holder_name


def test_a_payout_moves_the_available_balance_to_the_bank(client, db):
    seller = _funded_shop(client, db)
    answer = _ask(client, seller, "30.00")
    assert answer.status_code == 201, answer.text
    assert answer.json()["amount"] == {"amount": "30.00", "currency": "GBP"}
    assert _payout(db, answer.json()["id"]).status == "PAID"
    assert balance(db, seller_available(seller.shop_id)) == 2000
    assert balance(db, "external:bank") == 3000
    listed = client.get(f"/api/v1/seller/shops/{seller.shop_id}/finance/payouts",
                        headers=bearer(seller.token)).json()["payouts"]
    assert [(p["status"], p["amount"]["amount"]) for p in listed] == [("PAID", "30.00")]
    with db.sessions() as session:
        history = session.execute(select(PayoutHistory.from_status, PayoutHistory.to_status)
                                  .order_by(PayoutHistory.id)).all()
    assert [tuple(h) for h in history] == [(None, "PROCESSING"), ("PROCESSING", "PAID")]
    assert invariants(db) == []


def test_a_payout_the_bank_refuses_gives_the_money_back(client, db):
    seller = _funded_shop(client, db, number=FAILING_ACCOUNT)
    answer = _ask(client, seller, None)  # the whole available balance
    assert answer.status_code == 201, answer.text
    row = _payout(db, answer.json()["id"])
    assert (row.status, row.amount_minor, row.failure_reason) == ("FAILED", 5000,
                                                                  "account closed")
    assert balance(db, seller_available(seller.shop_id)) == 5000
    assert balance(db, "external:bank") == 0
    assert invariants(db) == []


def test_a_returned_payout_comes_back_to_the_available_balance(client, db):
    seller = _funded_shop(client, db, number=RETURNED_ACCOUNT)
    answer = _ask(client, seller, "50.00")
    assert _payout(db, answer.json()["id"]).status == "PAID"
    assert balance(db, seller_available(seller.shop_id)) == 0
    assert payouts.check_returns(db) == 1
    assert payouts.check_returns(db) == 0
    assert _payout(db, answer.json()["id"]).status == "RETURNED"
    assert balance(db, seller_available(seller.shop_id)) == 5000
    assert balance(db, "external:bank") == 0
    assert invariants(db) == []


def test_a_payout_below_the_minimum_or_above_the_balance_is_refused_and_changes_nothing(
        client, db):
    seller = _funded_shop(client, db)
    small = _ask(client, seller, "0.99", key="small")
    assert small.status_code == 400 and small.json()["code"] == "BELOW_MINIMUM_PAYOUT"
    big = _ask(client, seller, "50.01", key="big")
    assert big.status_code == 409 and big.json()["code"] == "INSUFFICIENT_FUNDS"
    bad = _ask(client, seller, "ten", key="bad")
    assert bad.status_code == 400 and bad.json()["field"] == "amount"
    no_key = client.post(f"/api/v1/seller/shops/{seller.shop_id}/finance/payouts",
                         json={"amount": "5.00"}, headers=bearer(seller.token))
    assert no_key.status_code == 400
    with db.sessions() as session:
        assert session.execute(select(Payout)).first() is None
    assert balance(db, seller_available(seller.shop_id)) == 5000


def test_a_retried_payout_request_returns_the_first_answer_and_pays_once(client, db):
    seller = _funded_shop(client, db)
    first = _ask(client, seller, "10.00", key="same")
    again = _ask(client, seller, "10.00", key="same")
    assert again.status_code == 201 and again.json() == first.json()
    other = _ask(client, seller, "20.00", key="same")
    assert other.status_code == 422 and other.json()["code"] == "IDEMPOTENCY_MISMATCH"
    assert balance(db, seller_available(seller.shop_id)) == 4000


def test_payouts_list_newest_first_a_page_at_a_time(client, db):
    seller = _funded_shop(client, db)
    first = _ask(client, seller, "10.00", key="one").json()["id"]
    second = _ask(client, seller, "20.00", key="two").json()["id"]
    url = f"/api/v1/seller/shops/{seller.shop_id}/finance/payouts"
    page = client.get(f"{url}?page_size=1", headers=bearer(seller.token)).json()
    assert [p["id"] for p in page["payouts"]] == [second]
    rest = client.get(f"{url}?page_size=1&page_token={page['next_page_token']}",
                      headers=bearer(seller.token)).json()
    assert [p["id"] for p in rest["payouts"]] == [first] and rest["next_page_token"] is None
    assert client.get(f"{url}?page_size=0", headers=bearer(seller.token)).status_code == 400


def test_other_users_cannot_see_or_pay_out_a_shop(client, db):
    seller = _funded_shop(client, db)
    stranger = make_seller(client, market="GB", name="Other Shop")
    answer = client.post(f"/api/v1/seller/shops/{seller.shop_id}/finance/payouts",
                         json={}, headers={**bearer(stranger.token), "Idempotency-Key": "x"})
    assert answer.status_code == 404
    assert balance(db, seller_available(seller.shop_id)) == 5000


def test_scheduled_payouts_pay_opted_in_shops_once_a_day(client, db, frozen_clock):
    opted = _funded_shop(client, db, minor=2500, auto=True)
    _funded_shop(client, db, minor=9000, auto=False)
    assert payouts.run_scheduled(db) == 1
    assert payouts.run_scheduled(db) == 0  # nothing left to pay today
    assert balance(db, seller_available(opted.shop_id)) == 0
    with db.transaction() as session:
        fund(session, seller_available(opted.shop_id), Money(700, "GBP"))
    assert payouts.run_scheduled(db) == 0  # same day: the day's key is used
    frozen_clock.advance(days=1)
    assert payouts.run_scheduled(db) == 1
    assert balance(db, "external:bank") == 3200


def test_bad_bank_account_input_is_refused(client, db):
    seller = make_seller(client, market="GB", name="Bad Input")
    with db.transaction() as session:
        shop = session.get(Shop, seller.shop_id)
        with pytest.raises(ValidationFailed) as failure:
            payouts.save_bank_account(session, shop, holder_name="Ada",
                                      account_number="12", bank_name="Bank",
                                      auto_payout=False)
    assert failure.value.extra["field"] == "account_number"


@pytest.mark.postgres
def test_payouts_requested_at_once_never_take_more_than_the_balance(client, db, is_postgres):
    if not is_postgres:
        pytest.skip("SQLite serializes writers; the race needs PostgreSQL's row locks")
    seller = _funded_shop(client, db, minor=5000)
    go = threading.Barrier(12)
    results: list[str] = []

    def one(n: int) -> None:
        go.wait()
        try:
            with db.transaction() as session:
                shop = session.get(Shop, seller.shop_id)
                payouts.request_payout(session, shop, amount=Money(1000, "GBP"),
                                       key=f"thread-{n}")
            results.append("ok")
        except Conflict as exc:
            results.append(exc.code)

    threads = [threading.Thread(target=one, args=(n,)) for n in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(results) == ["INSUFFICIENT_FUNDS"] * 7 + ["ok"] * 5
    assert payouts.run_payouts(db) == 5
    assert balance(db, seller_available(seller.shop_id)) == 0
    assert balance(db, "external:bank") == 5000
    assert invariants(db) == []
