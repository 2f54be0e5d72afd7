"""Token calls, codes, the OpenAPI document, the CLI and the pages around apps."""

from __future__ import annotations

import json
from typing import Any

from click.testing import CliRunner

from clipcart.cli import main
from clipcart.db import transaction
from clipcart.identity import service as identity
from clipcart.openplatform import apps, grants
from clipcart.openplatform.routing import ROUTES
from clipcart.shops.models import Shop
from tests.catalog_support import log_in, make_seller
from tests.helpers import csrf_form
from tests.openplatform_support import make_app, make_grant, signed_call


def _code(shop_id: int, app_key: str) -> str:
    with transaction() as session:
        app, shop = apps.by_key(session, app_key), session.get(Shop, shop_id)
        assert app is not None and shop is not None
        return grants.issue_code(session, grants.authorize(session, app, shop, None))


def _token(client: Any, kind: str, **query: str) -> dict[str, Any]:
    answer = client.get(f"/api/v2/token/{kind}", params=query)
    assert answer.status_code == 200
    result: dict[str, Any] = answer.json()
    return result


def test_a_code_gives_seven_day_tokens_with_absolute_expiry_once(client: Any,
                                                                 frozen_clock: Any) -> None:
    seller = make_seller(client)
    app_key, secret = make_app()
    code = _code(seller.shop_id, app_key)
    now = int(frozen_clock().timestamp())
    got = _token(client, "get", app_key=app_key, app_secret=secret, auth_code=code,
                 grant_type="authorized_code")
    data = got["data"]
    assert (got["code"], data["access_token_expire_in"], data["refresh_token_expire_in"],
            data["seller_name"], data["seller_base_region"]) == (
        0, now + 7 * 86400, now + 365 * 86400, "Linen Studio", "GB")
    again = _token(client, "get", app_key=app_key, app_secret=secret, auth_code=code,
                   grant_type="authorized_code")
    assert again["code"] == 36004006


def test_codes_expire_after_thirty_minutes_and_wrong_secrets_are_refused(
        client: Any, frozen_clock: Any) -> None:
    seller = make_seller(client)
    app_key, secret = make_app()
    code = _code(seller.shop_id, app_key)
    wrong = _token(client, "get", app_key=app_key, app_secret="nope", auth_code=code,
                   grant_type="authorized_code")
    assert wrong["code"] == 106003
    frozen_clock.advance(minutes=30)
    late = _token(client, "get", app_key=app_key, app_secret=secret, auth_code=code,
                  grant_type="authorized_code")
    assert (late["code"], late["data"]) == (36004005, None)


def test_refresh_spends_the_old_refresh_token(client: Any) -> None:
    seller = make_seller(client)
    grant = make_grant(seller.shop_id)
    query = {"app_key": grant.app_key, "app_secret": grant.secret,
             "refresh_token": grant.refresh_token, "grant_type": "refresh_token"}
    fresh = _token(client, "refresh", **query)
    assert fresh["code"] == 0 and fresh["data"]["access_token"] != grant.access_token
    assert _token(client, "refresh", **query)["code"] == 36004008


def test_every_partner_route_is_in_the_openapi_document(client: Any) -> None:
    paths = client.get("/schema/openapi.json").json()["paths"]
    expected = {(method.lower(), _openapi_path(path)) for handler in ROUTES
                for path in handler.paths for method in handler.http_methods}
    documented = {(method, path) for path, item in paths.items() for method in item}
    assert len(expected) == 26 and expected <= documented, expected - documented


def _openapi_path(path: str) -> str:
    import re

    return re.sub(r"\{(\w+):\w+\}", r"{\1}", path)


def test_the_cli_creates_an_app_and_grants_it_a_shop(client: Any) -> None:
    seller = make_seller(client)
    runner = CliRunner()
    made = json.loads(runner.invoke(main, ["apps", "create", "--name", "Script", "--json"])
                      .output)
    granted = json.loads(runner.invoke(main, ["apps", "grant", "--app-key", made["app_key"],
                                              "--shop-id", str(seller.shop_id), "--json"]).output)
    assert granted["shop_cipher"] == grants.shop_cipher(seller.shop_id)
    from tests.openplatform_support import Grant

    grant = Grant(made["app_key"], made["app_secret"], granted["access_token"],
                  granted["refresh_token"], granted["shop_cipher"], seller.shop_id)
    shops = signed_call(client, grant, "GET", "/authorization/202309/shops", shop=False)
    assert shops["data"]["shops"][0]["id"] == str(seller.shop_id)


def test_the_seller_apps_page_lists_and_revokes_and_strangers_get_404(client: Any) -> None:
    seller = make_seller(client)
    grant = make_grant(seller.shop_id)
    stranger = make_seller(client, name="Elsewhere")
    log_in(client, stranger.email)
    assert client.get(f"/seller/{seller.shop_id}/apps").status_code == 404
    token = log_in(client, seller.email)
    page = client.get(f"/seller/{seller.shop_id}/apps")
    assert page.status_code == 200 and "Acme ERP" in page.text and "Authorized" in page.text
    with transaction() as session:
        grant_id = grants.grants_of_shop(session, seller.shop_id)[0][0].id
    done = client.post(f"/seller/{seller.shop_id}/apps/{grant_id}/revoke",
                       data={"_csrf_token": token})
    assert done.status_code == 200 and "Revoked" in done.text
    assert signed_call(client, grant, "GET", "/authorization/202309/shops",
                       shop=False)["code"] == 105005


def test_the_operator_registers_an_app_and_sees_it_listed(client: Any) -> None:
    with transaction() as session:
        identity.create_operator(session, "ops@example.com", "operator-pass-1")
    client.cookies.clear()
    token = csrf_form(client, "/login")
    client.post("/login", data={"_csrf_token": token, "email": "ops@example.com",
                                "password": "operator-pass-1", "next": "/"})
    token = csrf_form(client, "/operator/apps")
    made = client.post("/operator/apps", data={"_csrf_token": token, "name": "Acme ERP",
                                               "redirect_url": "https://erp.example/cb"})
    assert made.status_code == 200 and "app_secret" in made.text
    listing = client.get("/operator/apps")
    assert "Acme ERP" in listing.text and "https://erp.example/cb" in listing.text
