"""Seller Center finance page over HTTP: balances, order breakdown, bank account form,
payout request with the simulated rail, errors, tenancy."""

from __future__ import annotations

import re

import pytest

from clipcart.finance import service
from clipcart.finance.rail import FAILING_ACCOUNT
from clipcart.ledger.accounts import seller_available
from tests.catalog_support import log_in
from tests.checkout_support import balance, buyer, listing
from tests.finance_support import deliver, paid_order
from tests.payments_helpers import psp  # noqa: F401

pytestmark = pytest.mark.usefixtures("psp")


def _form(client, csrf: str, url: str, **fields: str):  # type: ignore[no-untyped-def]
    return client.post(url, data={"_csrf_token": csrf, **fields}, follow_redirects=False)


def test_the_finance_page_shows_pending_then_available_money_and_pays_out(
        client, db, frozen_clock):
    item = listing(client, price="10.00", list_price=None)
    bought = paid_order(client, buyer(client), item)
    base = f"/seller/{bought.shop_id}/finance"
    csrf = log_in(client, item.seller.email)
    page = client.get(base)
    assert page.status_code == 200
    assert re.search(r'data-testid="pending-balance">£12\.99<', page.text)
    assert re.search(r'data-testid="available-balance">£0\.00<', page.text)
    assert "Awaiting delivery" in page.text
    deliver(db, frozen_clock, bought.order_id)
    frozen_clock.advance(days=7)
    assert service.settle_due(db) == 1
    csrf = log_in(client, item.seller.email)
    page = client.get(base)
    assert re.search(r'data-testid="available-balance">£12\.24<', page.text)
    assert "Settled" in page.text and "9.0% of £8.33" in page.text
    # no bank account yet: the payout form says so
    assert "Add the bank account payouts go to first" in page.text
    bad = _form(client, csrf, f"{base}/bank-account", holder_name="Ada", bank_name="B",
                account_number="1")
    assert bad.status_code == 400 and "6 to 34 letters or digits" in bad.text
    saved = _form(client, csrf, f"{base}/bank-account", holder_name="Ada Lovelace",
                  bank_name="Analytical Bank", account_number="12345678")
    assert saved.status_code in (302, 303)
    page = client.get(base)
    assert "Analytical Bank ···· 5678" in page.text
    key = re.search(r'name="key" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    too_much = _form(client, csrf, f"{base}/payouts", amount="20.00", key=key)
    assert too_much.status_code == 409 and "Not enough funds" in too_much.text
    paid = _form(client, csrf, f"{base}/payouts", amount="10.00", key=key)
    assert paid.status_code in (302, 303)
    again = _form(client, csrf, f"{base}/payouts", amount="10.00", key=key)  # double click
    assert again.status_code in (302, 303)
    assert balance(db, seller_available(bought.shop_id)) == 224
    page = client.get(base)
    assert page.text.count('<span class="status ok">PAID</span>') == 1


def test_a_refused_payout_shows_as_failed_and_keeps_the_balance(client, db, frozen_clock):
    item = listing(client, price="10.00", list_price=None)
    bought = paid_order(client, buyer(client), item)
    deliver(db, frozen_clock, bought.order_id)
    frozen_clock.advance(days=7)
    service.settle_due(db)
    csrf = log_in(client, item.seller.email)
    base = f"/seller/{bought.shop_id}/finance"
    _form(client, csrf, f"{base}/bank-account", holder_name="Ada Lovelace", bank_name="B",
          account_number=FAILING_ACCOUNT)
    _form(client, csrf, f"{base}/payouts", amount="", key="k")
    page = client.get(base)
    assert "FAILED" in page.text and "account closed" in page.text
    assert balance(db, seller_available(bought.shop_id)) == 1224


def test_another_shops_finance_page_is_not_found(client, db):
    mine = listing(client, shop_name="Mine")
    theirs = listing(client, shop_name="Theirs")
    log_in(client, mine.seller.email)
    assert client.get(f"/seller/{theirs.seller.shop_id}/finance").status_code == 404
    assert client.get("/seller/nonsense/finance").status_code == 404
