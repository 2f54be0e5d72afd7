"""Operator ledger pages: accounts with balances, statements and a reference's money."""

from __future__ import annotations

from urllib.parse import quote

from clipcart.identity import service as identity
from clipcart.ledger import accounts as codes
from clipcart.ledger import service as ledger
from clipcart.money import Money
from tests.helpers import PASSWORD, csrf_form, signup
from tests.ledger_helpers import fund, move, usd


def _log_in(client, email: str) -> None:  # type: ignore[no-untyped-def]
    token = csrf_form(client, "/login")
    response = client.post("/login", data={"_csrf_token": token, "email": email,
                                           "password": PASSWORD}, follow_redirects=False)
    assert response.status_code in (302, 303), response.text


def _operator(client, db) -> None:  # type: ignore[no-untyped-def]
    with db.transaction() as session:
        identity.create_operator(session, "ops@example.com", PASSWORD)
    _log_in(client, "ops@example.com")


def _books(db) -> None:  # type: ignore[no-untyped-def]
    with db.transaction() as session:
        ledger.post(session, key="cap:1", kind="payment.captured", reference="order:1",
                    transfers=[move(codes.EXTERNAL_PSP, codes.ESCROW, usd(2_490))])
        ledger.post(session, key="settle:1", kind="settlement", reference="order:1",
                    transfers=[move(codes.ESCROW, codes.seller_available(3), usd(2_241), "sale"),
                               move(codes.ESCROW, codes.PLATFORM_FEES, usd(249), "fee")])
        fund(session, codes.coins(8), Money(150_000, "VND"), reference="recharge:1")


def test_an_operator_sees_every_account_with_its_balances(client, db):
    _books(db)
    _operator(client, db)
    page = client.get("/operator/ledger")
    assert page.status_code == 200
    assert "<h1>Ledger</h1>" in page.text
    for code in ("external:psp", "escrow", "seller:3:available", "platform:fees", "coins:8"):
        assert f">{code}</a>" in page.text
    assert "$22.41" in page.text
    assert "-$24.90" in page.text
    assert "Balanced" in page.text and "VND · 2 accounts" in page.text
    assert 'href="/operator/ledger"' in page.text  # the nav item


def test_accounts_filter_by_code_prefix_and_currency(client, db):
    _books(db)
    _operator(client, db)
    sellers = client.get("/operator/ledger", params={"prefix": "seller:"})
    assert ">seller:3:available</a>" in sellers.text
    assert ">escrow</a>" not in sellers.text
    dong = client.get("/operator/ledger", params={"currency": "vnd"})
    assert ">coins:8</a>" in dong.text
    assert ">escrow</a>" not in dong.text
    none = client.get("/operator/ledger", params={"prefix": "advertiser:"})
    assert "No account matches “advertiser:”" in none.text


def test_the_account_list_pages_by_keyset(client, db):
    with db.transaction() as session:
        for shop in range(1, 56):
            fund(session, codes.seller_pending(shop), usd(shop))
    _operator(client, db)
    first = client.get("/operator/ledger", params={"prefix": "seller:"})
    assert first.text.count("<tr>") == 51  # the header row and 50 accounts
    marker = "page_token="
    token = first.text[first.text.index(marker) + len(marker):].split('"')[0]
    second = client.get("/operator/ledger", params={"prefix": "seller:", "page_token": token})
    assert second.text.count("<tr>") == 6
    assert "Next page" not in second.text


def test_a_forged_page_token_shows_a_clear_error(client, db):
    _operator(client, db)
    page = client.get("/operator/ledger", params={"page_token": "nope"})
    assert page.status_code == 400
    assert "page_token is not valid; start from the first page." in page.text


def test_a_reference_page_lists_each_operation_with_its_transfers(client, db):
    _books(db)
    _operator(client, db)
    page = client.get("/operator/ledger/ref/order:1")
    assert page.status_code == 200
    assert "<h1>order:1</h1>" in page.text
    assert "payment.captured" in page.text and "settlement" in page.text
    assert page.text.index("payment.captured") < page.text.index("settlement")
    assert ">seller:3:available</a>" in page.text and "$2.49" in page.text
    found = client.get("/operator/ledger/ref", params={"reference": " order:1 "},
                       follow_redirects=False)
    assert found.headers["location"] == "/operator/ledger/ref/order%3A1"
    missing = client.get("/operator/ledger/ref/order:404")
    assert "No money has moved for “order:404”." in missing.text


def test_a_statement_shows_money_in_and_out_of_one_account(client, db):
    _books(db)
    _operator(client, db)
    page = client.get("/operator/ledger/account",
                      params={"code": "escrow", "currency": "USD"})
    assert page.status_code == 200
    assert "-$22.41" in page.text and "$24.90" in page.text
    assert "never goes below zero" in page.text
    unknown = client.get("/operator/ledger/account", params={"code": "wallet:1",
                                                              "currency": "USD"})
    assert unknown.status_code == 400
    assert "not a ledger account code" in unknown.text


def test_only_operators_may_open_the_ledger(client, db):
    response = client.get("/operator/ledger", follow_redirects=False)
    assert response.status_code in (302, 303)
    assert response.headers["location"] == "/login?next=/operator/ledger"
    buyer = signup(client)
    _log_in(client, buyer["email"])
    forbidden = client.get("/operator/ledger/ref/order:1")
    assert forbidden.status_code == 403
    assert 'href="/operator/ledger"' not in client.get("/").text


HOSTILE = ["\x00", "seller:\x00", "%", "_", "a" * 5000, "é", "'; DROP TABLE x; --", "%ff"]


def test_hostile_query_values_get_a_page_never_a_server_error(client, db):
    _books(db)
    _operator(client, db)
    for value in HOSTILE:
        for path, params in [
            ("/operator/ledger", {"prefix": value}),
            ("/operator/ledger", {"currency": value}),
            ("/operator/ledger", {"page_token": value}),
            ("/operator/ledger/account", {"code": value, "currency": "USD"}),
            ("/operator/ledger/account", {"code": "escrow", "currency": value}),
            ("/operator/ledger/account", {"code": "escrow", "currency": "USD",
                                          "page_token": value}),
            ("/operator/ledger/ref", {"reference": value}),
        ]:
            response = client.get(path, params=params)
            assert response.status_code in (200, 400), (path, params, response.status_code)
        response = client.get(f"/operator/ledger/ref/{quote(value, safe='')}")
        assert response.status_code in (200, 404), (value, response.status_code)
    assert client.get("/operator/ledger/account").status_code == 400  # code is required
