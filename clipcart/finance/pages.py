"""Seller Center finance: balances, order-level breakdown, statements (and CSV), bank
account, payouts. Routes parse, call the finance services and render."""

from __future__ import annotations

import secrets
from typing import Annotated, Any

from litestar import Request, Response, Router, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery
from litestar.response import Redirect, Template

from clipcart.catalog.paging import decode_token, encode_token
from clipcart.db import get_database, transaction
from clipcart.errors import DomainError, NotFound
from clipcart.finance import payouts, service, statements
from clipcart.finance.api import parse_amount
from clipcart.finance.fees import minimum_payout
from clipcart.finance.rail import FAILING_ACCOUNT, RETURNED_ACCOUNT
from clipcart.ids import parse_id
from clipcart.money import Money
from clipcart.shops import service as shops
from clipcart.shops.seller_center import open_shop, render
from clipcart.web.auth import CurrentUser, requires_user

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
BASE = "/seller/{shop_id:str}/finance"
PAGE = 20  # orders a page


def _shop(session: Any, user: CurrentUser, raw: str, managers: bool = False) -> Any:
    shop_id = parse_id(raw)
    if shop_id is None:
        raise NotFound("No such shop.")
    return open_shop(session, user, shop_id, shops.MANAGERS if managers else shops.ALL_STAFF)


def _overview(user: CurrentUser, raw: str, *, error: str | None = None,
              notice: str | None = None, status_code: int = 200,
              orders_token: str | None = None) -> Template:
    with transaction() as session:
        shop = _shop(session, user, raw)
        account = payouts.bank_account(session, shop.id)
        recent = statements.statements_of(session, shop.id)
        orders = service.order_breakdown(session, shop.id, decode_token(orders_token),
                                         PAGE + 1)
        return render(session, user, shop, "finance", "finance/overview.html", {
            "balances": service.balances(session, shop),
            "orders": orders[:PAGE],
            "orders_next": encode_token(orders[PAGE - 1].row.id) if len(orders) > PAGE
            else None,
            "statements": recent,
            "paid": statements.payment_statuses(session, shop, recent),
            "payouts": payouts.payouts_of(session, shop.id),
            "account": account, "minimum": minimum_payout(shop.market),
            "payout_key": secrets.token_urlsafe(12), "error": error, "notice": notice,
            "failing_account": FAILING_ACCOUNT, "returned_account": RETURNED_ACCOUNT,
            "Money": Money}, status_code=status_code)


@get(BASE, sync_to_thread=True, guards=[requires_user], include_in_schema=False)
def finance_page(request: Request[CurrentUser, Any, Any], shop_id: FromPath[str],
                 notice: FromQuery[str | None] = None,
                 orders_page: FromQuery[str | None] = None) -> Template:
    messages = {"bank": "Bank account saved.", "payout": "Payout requested."}
    return _overview(request.user, shop_id, notice=messages.get(notice or ""),
                     orders_token=orders_page)


@post(BASE + "/bank-account", sync_to_thread=True, guards=[requires_user],
      include_in_schema=False)
def save_bank(request: Request[CurrentUser, Any, Any], shop_id: FromPath[str],
              data: Form) -> Response[Any]:
    try:
        with transaction() as session:
            shop = _shop(session, request.user, shop_id, managers=True)
            payouts.save_bank_account(
                session, shop, holder_name=data.get("holder_name", ""),
                account_number=data.get("account_number", ""),
                bank_name=data.get("bank_name", ""),
                auto_payout=data.get("auto_payout") == "on")
    except NotFound:
        raise
    except DomainError as exc:
        return _overview(request.user, shop_id, error=exc.detail, status_code=exc.status)
    return Redirect(f"/seller/{shop.id}/finance?notice=bank")


@post(BASE + "/payouts", sync_to_thread=True, guards=[requires_user], include_in_schema=False)
def ask_payout(request: Request[CurrentUser, Any, Any], shop_id: FromPath[str],
               data: Form) -> Response[Any]:
    key = data.get("key", "")[:80] or secrets.token_urlsafe(12)
    try:
        with transaction() as session:
            shop = _shop(session, request.user, shop_id, managers=True)
            payout = payouts.request_payout(session, shop, key=f"page:{key}",
                                            amount=parse_amount(data.get("amount"),
                                                                shop.currency))
            payout_id = payout.id
    except NotFound:
        raise
    except DomainError as exc:
        return _overview(request.user, shop_id, error=exc.detail, status_code=exc.status)
    payouts.run_payout(get_database(), payout_id)
    return Redirect(f"/seller/{shop.id}/finance?notice=payout")


def _statement(session: Any, user: CurrentUser, raw_shop: str, raw_id: str) -> Any:
    shop = _shop(session, user, raw_shop)
    sid = parse_id(raw_id.removesuffix(".csv"))
    row = statements.get_statement(session, shop.id, sid) if sid else None
    if row is None:
        raise NotFound("No such statement.")
    return shop, row, statements.build_day(session, shop, row.statement_date)


@get(BASE + "/statements/{statement_id:str}", sync_to_thread=True, guards=[requires_user],
     include_in_schema=False)
def statement_page(request: Request[CurrentUser, Any, Any], shop_id: FromPath[str],
                   statement_id: FromPath[str]) -> Response[Any]:
    with transaction() as session:
        shop, row, day = _statement(session, request.user, shop_id, statement_id)
        if statement_id.endswith(".csv"):
            return Response(statements.to_csv(row.id, day), media_type="text/csv",
                            headers={"Content-Disposition":
                                     f'attachment; filename="statement-{row.statement_date}'
                                     f'-{row.id}.csv"'})
        return render(session, request.user, shop, "finance", "finance/statement.html",
                      {"row": row, "day": day, "Money": Money})


router = Router(path="/", route_handlers=[finance_page, save_bank, ask_payout, statement_page])
