"""Operator pages: every account's figures, one account's statement, one reference's money."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from litestar import Router, get
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from clipcart.db import transaction
from clipcart.errors import DomainError
from clipcart.ledger import service as ledger
from clipcart.markets import get_markets
from clipcart.money import ISO_EXPONENTS, Money
from clipcart.web.auth import requires_role
from clipcart.web.navigation import NavItem, register

PAGE_SIZE = 50
ICON = ("M5 3h11a3 3 0 0 1 3 3v15H8a3 3 0 0 1-3-3V3Zm3 14a1 1 0 1 0 0 2h9v-2H8Zm1-10v2h7V7H9Z"
        "m0 4v2h5v-2H9Z")


def display(money: Money) -> str:
    """Exact to the minor unit, in the locale of a market that uses the currency."""
    market = next((m for m in get_markets() if m.currency == money.currency), None)
    return money.format(market.locale if market else "en")


def _base(**extra: Any) -> dict[str, Any]:
    return {"money": display, "currencies": sorted(ISO_EXPONENTS), "error": None, **extra}


@get("/", sync_to_thread=True)
def accounts_page(prefix: FromQuery[str] = "", currency: FromQuery[str] = "",
                  page_token: FromQuery[str | None] = None) -> Template:
    prefix, currency = prefix.strip(), currency.strip().upper()
    context = _base(prefix=prefix, currency=currency, accounts=[], next_page_token=None)
    with transaction() as session:
        context["totals"] = ledger.currency_totals(session)
        try:
            page = ledger.list_accounts(session, prefix=prefix, currency=currency or None,
                                        page_token=page_token, page_size=PAGE_SIZE)
        except DomainError as exc:
            context["error"] = exc.detail
            return Template("ledger/accounts.html", context=context, status_code=exc.status)
    context.update(accounts=page.accounts, next_page_token=page.next_page_token)
    return Template("ledger/accounts.html", context=context)


@get("/account", sync_to_thread=True)
def statement_page(code: FromQuery[str], currency: FromQuery[str],
                   page_token: FromQuery[str | None] = None) -> Template:
    context = _base(code=code, currency=currency, account=None, lines=[], next_page_token=None)
    try:
        with transaction() as session:
            page = ledger.statement(session, code, currency, page_token, PAGE_SIZE)
    except DomainError as exc:
        context["error"] = exc.detail
        return Template("ledger/statement.html", context=context, status_code=exc.status)
    context.update(account=page.account, lines=page.lines,
                   next_page_token=page.next_page_token)
    return Template("ledger/statement.html", context=context)


@get("/ref", sync_to_thread=False)
def find_reference(reference: FromQuery[str] = "") -> Redirect:
    reference = reference.strip()
    if not reference:
        return Redirect("/operator/ledger")
    return Redirect(f"/operator/ledger/ref/{quote(reference, safe='')}")


@get("/ref/{reference:str}", sync_to_thread=True)
def reference_page(reference: FromPath[str]) -> Template:
    with transaction() as session:
        operations = ledger.operations_for(session, reference)
    return Template("ledger/reference.html",
                    context=_base(reference=reference, operations=operations))


router = Router(path="/operator/ledger", guards=[requires_role("operator")],
                route_handlers=[accounts_page, statement_page, find_reference, reference_page],
                include_in_schema=False)

register(NavItem("Ledger", "/operator/ledger", "operator", ICON))
